import type { Keys } from '../redis/keys.js';

/** Polls of one stream; all in the stream's slot so one script can check and change them. */
export const pollKeys = (k: Keys, streamId: string) => ({
  /** STRING: id of the stream's open poll (one at a time). */
  open: k.stream(streamId, 'poll', 'open'),
  /**
   * HASH per poll: id, brandId, question, options (JSON), optionCount, endsAt (0: none), points, createdAt,
   * createdBy, public (PollPublic JSON), audience (JSON, absent: everyone), status (open | closed), closedAt,
   * closeReason.
   */
  poll: (pollId: string) => k.stream(streamId, 'poll', 'p', pollId),
  /** HASH viewerId -> option: one final vote per viewer. */
  votes: (pollId: string) => k.stream(streamId, 'poll', 'votes', pollId),
  /** HASH option index -> votes, kept as votes arrive. */
  counts: (pollId: string) => k.stream(streamId, 'poll', 'counts', pollId),
});
