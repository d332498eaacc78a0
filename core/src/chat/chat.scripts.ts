import type { ChatMessage, PinnedMessage } from '@stickyroom/sdk/protocol';
import { activityKeys } from '../activity/activity.keys.js';
import { defineScript } from '../redis/scripts.js';
import { streamKeys } from '../streams/streams.keys.js';
import { chatKeys } from './chat.keys.js';

export interface ChatLimits {
  rateLimit: number;
  rateWindowMs: number;
  duplicateWindowMs: number;
  historyCap: number;
}

export interface SendArgs {
  streamId: string;
  userId: string;
  /** The message JSON without its opening brace and id (the script prepends `{"id":"<n>",`). */
  body: string;
  /** `wordsForMatching(text)` and `duplicateKey(text)` from chat.text.ts. */
  words: string;
  duplicateKey: string;
  now: number;
  /** Staff of the stream: no ban, mute, duplicate, slow-mode or rate checks. */
  exempt: boolean;
  /** Count the message as the sender's activity (the audience's messages; staff's are nobody's stickiness). */
  countActivity: boolean;
  limits: ChatLimits;
}

/** chat-send-13.lua: every rule of a message, its append and its activity record, in one step; answers the new message id. */
export const chatSend = defineScript({
  file: 'chat-send-13.lua',
  keys: (k, a: SendArgs) => {
    const c = chatKeys(k, a.streamId);
    return [
      streamKeys(k, a.streamId).meta,
      c.meta,
      c.blocked,
      c.banned,
      c.user(a.userId),
      c.rate(a.userId),
      c.seq,
      c.history,
      ...activityKeys(k, a.streamId).ledger(a.userId),
    ];
  },
  argv: (a) => [
    a.userId,
    a.body,
    a.words,
    a.duplicateKey,
    a.now,
    a.exempt ? 1 : 0,
    a.limits.rateLimit,
    a.limits.rateWindowMs,
    a.limits.duplicateWindowMs,
    a.limits.historyCap,
    a.countActivity ? 1 : 0,
  ],
  refusals: {
    [-1]: 'stream_not_found',
    [-2]: 'stream_ended',
    [-3]: 'banned',
    [-4]: 'muted',
    [-5]: 'blocked_word',
    [-6]: 'duplicate',
    [-7]: 'slow_mode',
    [-8]: 'chat_rate_limit',
  },
  parse: ([, id]: [1, number]) => String(id),
});

export interface ModerationArgs {
  streamId: string;
  /** A log entry JSON without its opening brace (the script prepends the target and message it found). */
  entry: string;
  logCap: number;
}

/** chat-delete-3.lua: removes a message of the hot history; null when it is not there. */
export const chatDelete = defineScript({
  file: 'chat-delete-3.lua',
  keys: (k, a: ModerationArgs & { messageId: string }) => {
    const c = chatKeys(k, a.streamId);
    return [c.history, c.meta, c.modlog];
  },
  argv: (a) => [a.messageId, a.entry, a.logCap],
  parse: (r: [0] | [1, string, number]): { message: ChatMessage; unpinned: boolean } | null =>
    r[0] === 1 ? { message: JSON.parse(r[1]) as ChatMessage, unpinned: r[2] === 1 } : null,
});

/** chat-pin-3.lua: pins a message of the hot history (null id: unpins). */
export const chatPin = defineScript({
  file: 'chat-pin-3.lua',
  keys: (k, a: ModerationArgs & { messageId: string | null; pin: string }) => {
    const c = chatKeys(k, a.streamId);
    return [c.history, c.meta, c.modlog];
  },
  argv: (a) => [a.messageId ?? '', a.pin, a.entry, a.logCap],
  parse: (r: [0] | [1, string] | [2] | [3]): PinnedMessage | null | 'not_found' | 'unchanged' => {
    if (r[0] === 0) return 'not_found';
    if (r[0] === 3) return 'unchanged';
    return r[0] === 1 ? (JSON.parse(r[1]) as PinnedMessage) : null;
  },
});
