import type { QuestionReward } from '@stickyroom/sdk/protocol';
import { activityKeys } from '../activity/activity.keys.js';
import { outboxEntryId } from '../outbox/outbox.entry.js';
import { outboxKeys } from '../outbox/outbox.keys.js';
import { chatKeys } from '../chat/chat.keys.js';
import { hashFromPairs } from '../redis/replies.js';
import { defineScript } from '../redis/scripts.js';
import { streamKeys } from '../streams/streams.keys.js';
import { QA_ORDER_SPAN, qaKeys } from './qa.keys.js';
import { productKeys } from '../products/products.keys.js';

export interface AskArgs {
  streamId: string;
  id: string;
  userId: string;
  name: string;
  text: string;
  /** The text as chat's blocked-words rule reads it (see chat.text.ts). */
  words: string;
  at: number;
}

/** qa-ask-16.lua: adds a viewer's question under chat's text rules, one open question per viewer, and its activity record. */
export const qaAsk = defineScript({
  file: 'qa-ask-16.lua',
  keys: (k, a: AskArgs) => {
    const q = qaKeys(k, a.streamId);
    const chat = chatKeys(k, a.streamId);
    return [
      streamKeys(k, a.streamId).meta,
      q.question(a.id),
      q.open,
      q.openBy,
      q.seq,
      chat.blocked,
      chat.banned,
      chat.user(a.userId),
      ...activityKeys(k, a.streamId).ledger(a.userId),
      productKeys(k, a.streamId).pinned,
      q.asked,
      q.askPins,
    ];
  },
  argv: (a) => [a.id, a.userId, a.name, a.text, a.at, QA_ORDER_SPAN, a.words],
  refusals: { [-1]: 'questions_not_live', [-2]: 'question_open', [-3]: 'questions_full', [-4]: 'banned', [-5]: 'muted', [-6]: 'question_blocked_word' },
  parse: (_added: [1]) => undefined,
});

/** qa-upvote-10.lua: one upvote per viewer on an open question, and its activity record; answers the question's fields after it. */
export const qaUpvote = defineScript({
  file: 'qa-upvote-10.lua',
  keys: (k, a: { streamId: string; questionId: string; viewerId: string; now: number }) => {
    const q = qaKeys(k, a.streamId);
    return [
      streamKeys(k, a.streamId).meta,
      q.question(a.questionId),
      q.voters(a.questionId),
      q.open,
      chatKeys(k, a.streamId).banned,
      ...activityKeys(k, a.streamId).ledger(a.viewerId),
    ];
  },
  argv: (a) => [a.questionId, a.viewerId, QA_ORDER_SPAN, a.now],
  refusals: { [-1]: 'question_not_found', [-2]: 'not_live', [-3]: 'question_answered', [-4]: 'own_question', [-5]: 'upvoted', [-6]: 'banned' },
  parse: (flat: string[]) => hashFromPairs(flat),
});

/** qa-answer-3.lua: marks a question answered once, with its reward; answers whether this call did and the fields. */
export const qaAnswer = defineScript({
  file: 'qa-answer-4.lua',
  keys: (k, a: { streamId: string; questionId: string; at: number; by: string; reward: QuestionReward | undefined }) => {
    const q = qaKeys(k, a.streamId);
    return [q.question(a.questionId), q.open, q.openBy, outboxKeys(k, a.streamId).entries];
  },
  argv: (a) => {
    const entry = { kind: 'question.reward', questionId: a.questionId } as const;
    return [a.questionId, a.at, a.by, a.reward ? JSON.stringify(a.reward) : '', outboxEntryId(entry), JSON.stringify(entry)];
  },
  refusals: { [-1]: 'question_not_found' },
  parse: ([changed, flat]: [number, string[]]) => ({ changed: changed === 1, fields: hashFromPairs(flat) }),
});
