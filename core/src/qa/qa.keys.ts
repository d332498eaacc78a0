import type { Keys } from '../redis/keys.js';

/** Audience questions of one stream; all in the stream's slot so one script can check and change them. */
export const qaKeys = (k: Keys, streamId: string) => ({
  /** HASH per question: id, userId, name, text, votes, status, at, seq, pinnedProductId, answeredAt, answeredBy, reward, rewardDone. */
  question: (questionId: string) => k.stream(streamId, 'qa', 'q', questionId),
  /** SET per question: viewers who upvoted it. */
  voters: (questionId: string) => k.stream(streamId, 'qa', 'voters', questionId),
  /** STRING with a PX expiry: the one caller delivering a question's reward (see redis/scripts/lease-1.lua). */
  rewardLease: (questionId: string) => k.stream(streamId, 'qa', 'lease', questionId),
  /** ZSET questionId -> votes * QA_ORDER_SPAN + (QA_ORDER_SPAN - seq): open questions, most votes then oldest first. */
  open: k.stream(streamId, 'qa', 'open'),
  /** HASH viewerId -> questionId of the viewer's open question (one at a time). */
  openBy: k.stream(streamId, 'qa', 'openBy'),
  /** ZSET questionId -> asked ms: every question of the stream (the summary's Q&A figures walk it). */
  asked: k.stream(streamId, 'qa', 'asked'),
  /** HASH '<viewerId>|<productId>' -> ms of the viewer's first question asked while that product was pinned. */
  askPins: k.stream(streamId, 'qa', 'askPins'),
  /** ZSET viewerId -> ms of their first click, after asking, on a product pinned when they asked. */
  clickedPinned: k.stream(streamId, 'qa', 'clickedPinned'),
  /** STRING: questions asked so far (INCR), the tie-break by age. */
  seq: k.stream(streamId, 'qa', 'seq'),
});

/**
 * Spacing of the open-list score: one vote outweighs any difference in age. Scores stay exact doubles
 * below 2^53 up to ~900 million votes; a stream takes at most QA_ORDER_SPAN - 1 questions.
 */
export const QA_ORDER_SPAN = 10_000_000;
