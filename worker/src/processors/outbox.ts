import { deliverEntry, sweepOutboxes } from '../../../core/src/outbox/outbox.service.js';
import type { Processor } from './index.js';

/** 'outbox.deliver': one entry; a failure throws so BullMQ retries (the sweep is the last resort). */
export const deliverOutboxEntry: Processor<'outbox.deliver'> = async (ctx, { streamId, entryId }) => ({
  outcome: await deliverEntry(ctx, streamId, entryId),
});

/** 'outbox.sweep' (every few seconds): delivers what a crash between a commit and its announcement left. */
export const sweepOutbox: Processor<'outbox.sweep'> = (ctx) => sweepOutboxes(ctx);
