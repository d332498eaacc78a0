import type { DomainFeature } from '../feature.js';
import { logChatMessage } from './exports.tables.js';
import { indexEnded } from './retention.js';

/** Exports: the full chat log (CHAT_LOG) as messages are accepted, and the retention index of ended streams. */
export const exportsHooks: DomainFeature = {
  name: 'exports',
  onChatMessage: logChatMessage,
  onStreamEnd: indexEnded,
};
