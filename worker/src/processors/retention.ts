import { applyRetention } from '../../../core/src/exports/retention.js';
import type { Processor } from './index.js';

/** 'retention' (hourly while RETENTION_DAYS > 0): drops raw per-viewer events of streams ended long enough ago. */
export const retention: Processor<'retention'> = (ctx) => applyRetention(ctx);
