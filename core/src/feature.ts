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
 * A feature's domain hooks: what other features (and the room) call without knowing it by name. Each
 * core/<feature>/<feature>.hooks.ts exports one; core/src/features.ts lists them. Transport (handlers,
 * routes) is the server's business and never appears here.
 */
export interface DomainFeature {
  name: string;
  /** Refuses a join (throw an AppError) before anything is recorded; reads only. */
  beforeJoin?: (ctx: AppContext, stream: StreamRecord, user: User) => Promise<void>;
  /**
   * This feature's part of the `room:join` ack. `standing` is the joining viewer's (core/src/audience), absent
   * for the stream's staff: a targeted item the viewer may not act on is left out of their part.
   */
  onJoin?: (ctx: AppContext, stream: StreamRecord, user: User, args: JoinArgs) => Promise<JoinPart>;
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
