import { z } from 'zod';
import { AudienceSchema, type Audience } from './audience.js';
import { ScopedId, StreamId, type Announced } from './common.js';
import { userText } from './text.js';

/** Live polls: staff ask, every viewer (of its audience, if targeted) votes once, the room sees the running counts. */
export const PollCreate = z
  .object({
    streamId: StreamId,
    question: userText(300),
    options: z.array(userText(120)).min(2).max(6),
    /** Closes on its own after this long; without it the poll stays open until `poll:close` or the stream's end. */
    durationSec: z.number().int().min(1).max(3600).optional(),
    /** Points for taking part: every viewer who votes gets them once (within POINTS_STREAM_CAP). */
    points: z.number().int().min(1).max(1_000_000).optional(),
    /** Only these viewers see the poll and may vote (docs/protocol.md, Targeting). */
    audience: AudienceSchema.optional(),
  })
  .strict();

export const PollVote = z.object({ pollId: ScopedId, option: z.number().int().min(0).max(5) }).strict();
export const PollClose = z.object({ pollId: ScopedId }).strict();

/** What everyone sees of a poll while it is open. */
export interface PollPublic {
  /** `<streamId>.<random>`: `poll:vote` needs nothing else. */
  id: string;
  streamId: string;
  question: string;
  options: string[];
  /** When it closes on its own (absent: when the staff close it or the stream ends). */
  endsAt?: number;
  /** Points every voter gets for taking part. */
  points?: number;
  /** Set on a targeted poll: only viewers of this audience are shown it and may vote. */
  audience?: Audience;
}

/** Votes of a poll: running in `poll:results`, final in `poll:closed` and the summary. */
export interface PollResults {
  pollId: string;
  streamId: string;
  /** Votes per option, index for index with the poll's `options`. */
  counts: number[];
  /** Viewers who voted (each once). */
  votes: number;
}

export interface PollFinal extends PollResults {
  question: string;
  options: string[];
  closedAt: number;
}

export const pollRequests = {
  'poll:create': PollCreate,
  'poll:vote': PollVote,
  'poll:close': PollClose,
} as const;

export interface PollReplies {
  'poll:create': { poll: { id: string; endsAt?: number } };
  'poll:vote': { points?: number };
  'poll:close': { result: PollFinal };
}

export interface PollPushes {
  'poll:started': (poll: PollPublic) => void;
  /** Running counts, to the room; per node and poll at most one every 500 ms (the latest counts always go). */
  'poll:results': (results: PollResults) => void;
  /** Final counts, once per poll. */
  'poll:closed': (result: PollFinal & Announced) => void;
}
