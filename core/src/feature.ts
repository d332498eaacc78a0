import type { ChatMessage, JoinData } from '@stickyroom/sdk/protocol';
import type { AppContext } from './context.js';
import type { User } from './identity/tokens.js';
import type { Standing } from './audience/audience.js';
import type { StreamRecord } from './streams/streams.store.js';

/** What a joining client receives from one feature, merged into the `room:join` ack. */
export type JoinPart = Partial<Omit<JoinData, 'stream'>>;

export interface JoinArgs {
  lastMessageId?: string | undefined;
  standing?: Standing | undefined;
}

/**
 * A feature's part of the `room:join` ack, in two steps. When a stream goes live thousands of viewers join
 * within seconds and their acks carry mostly the same things; reading or computing those per join was most of
 * a join's work and of the objects each join kept alive while it waited.
 *
 * - `shared` reads what is the same for every join of the stream at one moment (the history, the open quiz,
 *   the open drops before any audience filter...). It runs once for all the joins of a moment, together with
 *   the other features' (core/src/room/room.join.ts, through core/src/room/join-reads.ts: the read starts
 *   after every one of those joins asked for it, so each join still reads after it joined the room). Its
 *   result and that result's direct parts are shared by those joins and encoded once for all their acks
 *   (core/src/room/shared-values.ts): nobody may change them, so a part put in an ack is one of them, or a new
 *   object holding them.
 * - `part` makes this viewer's part from it: plainly when it needs nothing of its own, with a promise when it
 *   reads or writes something of the viewer's (presence, the lottery's `entered`), preferably through
 *   `joinLookup`, one command for the joins of the moment.
 */
export interface JoinHook<S = unknown> {
  shared?: (ctx: AppContext, stream: StreamRecord) => Promise<S>;
  part: (ctx: AppContext, stream: StreamRecord, user: User, args: JoinArgs, shared: S) => JoinPart | Promise<JoinPart>;
}

/** A feature's join hook, typed by what its shared read answers. */
export function joinHook<S = undefined>(hook: JoinHook<S>): JoinHook {
  return hook as JoinHook;
}

/**
 * A feature's domain hooks: what other features (and the room) call without knowing it by name. Each
 * core/<feature>/<feature>.hooks.ts exports one; core/src/features.ts lists them. Transport (handlers,
 * routes) is the server's business and never appears here.
 */
export interface DomainFeature {
  name: string;
  /**
   * Refuses a join before anything is recorded (a promise that rejects with an AppError); reads only. It is
   * called before the stream's record is read, with that read in flight (`stream`), so that its own reads go
   * out beside it: a join storm then waits for one round trip less.
   */
  beforeJoin?: (ctx: AppContext, streamId: string, stream: Promise<StreamRecord>, user: User) => Promise<void>;
  /**
   * This feature's part of the `room:join` ack (see JoinHook). `standing` is the joining viewer's
   * (core/src/audience), absent for the stream's staff: a targeted item the viewer may not act on is left out
   * of their part.
   */
  join?: JoinHook;
  /**
   * Runs after a chat message is accepted and stored (the lottery's keyword entry listens here).
   * Errors are logged, never refused to the sender.
   */
  onChatMessage?: (ctx: AppContext, stream: StreamRecord, user: User, message: ChatMessage) => Promise<void>;
  /** Runs when a stream ends, in the process that ended it. */
  onStreamEnd?: (ctx: AppContext, stream: StreamRecord) => Promise<void>;
  /** Timers a server node runs for this feature (flushes, stats pushes); returns a stop function. */
  start?: (ctx: AppContext) => () => Promise<void> | void;
}
