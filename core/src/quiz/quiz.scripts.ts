import { activityKeys } from '../activity/activity.keys.js';
import { hashFromPairs } from '../redis/replies.js';
import { defineScript } from '../redis/scripts.js';
import { streamKeys } from '../streams/streams.keys.js';
import { quizKeys } from './quiz.keys.js';
import { outboxKeys } from '../outbox/outbox.keys.js';
import type { OutboxEntry } from '../outbox/outbox.entry.js';

/** quiz-create-3.lua: opens a quiz on a live stream with no open quiz (the refusal quiz_open carries that quiz's id). */
export const quizCreate = defineScript({
  file: 'quiz-create-3.lua',
  keys: (k, a: { streamId: string; quizId: string; fields: Record<string, string | number> }) => {
    const q = quizKeys(k, a.streamId);
    return [streamKeys(k, a.streamId).meta, q.open, q.quiz(a.quizId)];
  },
  argv: (a) => [a.quizId, ...Object.entries(a.fields).flat()],
  refusals: { [-1]: 'quiz_not_live', [-2]: 'quiz_open' },
  parse: (_created: 1) => undefined,
});

/** quiz-answer-9.lua: a viewer's one final answer to an open quiz, and its activity record. */
export const quizAnswer = defineScript({
  file: 'quiz-answer-9.lua',
  keys: (k, a: { streamId: string; quizId: string; viewerId: string; option: number; now: number }) => {
    const q = quizKeys(k, a.streamId);
    return [q.quiz(a.quizId), q.answers(a.quizId), q.counts(a.quizId), q.correct(a.quizId), ...activityKeys(k, a.streamId).ledger(a.viewerId)];
  },
  argv: (a) => [a.viewerId, a.option, a.now],
  refusals: { [-1]: 'quiz_not_found', [-2]: 'quiz_closed', [-3]: 'quiz_no_such_option', [-4]: 'quiz_answered' },
  parse: (_taken: 1) => undefined,
});

/** quiz-close-6.lua: closes a quiz once (writing its outbox entry) and answers everything its result is computed from. */
export const quizClose = defineScript({
  file: 'quiz-close-6.lua',
  keys: (k, a: { streamId: string; quizId: string; now: number; reason: string; list: number; entryId: string; entry: OutboxEntry }) => {
    const q = quizKeys(k, a.streamId);
    return [q.quiz(a.quizId), q.open, q.counts(a.quizId), q.answers(a.quizId), q.correct(a.quizId), outboxKeys(k, a.streamId).entries];
  },
  argv: (a) => [a.quizId, a.now, a.reason, a.list, a.entryId, JSON.stringify(a.entry)],
  refusals: { [-1]: 'quiz_not_found' },
  parse: ([changed, quiz, counts, answers, correct, firstCorrect]: [number, string[], string[], number, number, string[]]) => ({
    changed: changed === 1,
    quiz: hashFromPairs(quiz),
    counts: hashFromPairs(counts),
    answers,
    correct,
    firstCorrect,
  }),
});

/** quiz-publish-2.lua: stores a closed quiz's result once and keeps the stream's last result (the join ack's) up to date. */
export const quizPublish = defineScript({
  file: 'quiz-publish-2.lua',
  keys: (k, a: { streamId: string; quizId: string; result: string }) => {
    const q = quizKeys(k, a.streamId);
    return [q.quiz(a.quizId), q.lastResult];
  },
  argv: (a) => [a.result],
  parse: ([stored, result]: [number, string]) => ({ stored: stored === 1, result }),
});
