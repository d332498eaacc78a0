import type { Router } from 'express';
import type { ChatMessage, JoinData } from '@stickyroom/sdk/protocol';
import type { User } from '../../../core/src/identity/tokens.js';
import type { AppContext } from '../../../core/src/context.js';
import type { AppSocket, HandlerDef } from '../io/handler.js';
import type { StreamRecord } from '../../../core/src/streams/streams.store.js';

/** What a joining client receives from one feature, merged into the `room:join` ack. */
export type JoinPart = Partial<Omit<JoinData, 'stream'>>;

/** A feature plugs into the server through this shape; transport code knows nothing else about it. */
export interface Feature {
  name: string;
  handlers?: HandlerDef[];
  /** Mounted under /api, after the JSON body parser. */
  routes?: (router: Router, ctx: AppContext) => void;
  /**
   * Mounted under /api before any body parser: routes that must see the raw bytes first (a webhook that
   * checks a signature over them) read and parse their body themselves.
   */
  rawBodyRoutes?: (router: Router, ctx: AppContext) => void;
  /** Refuses a join (throw an AppError) before anything is recorded; reads only. */
  beforeJoin?: (ctx: AppContext, stream: StreamRecord, user: User) => Promise<void>;
  /** Adds this feature's part of the `room:join` ack. */
  onJoin?: (ctx: AppContext, stream: StreamRecord, user: User, args: { lastMessageId?: string | undefined }) => Promise<JoinPart>;
  onDisconnect?: (ctx: AppContext, socket: AppSocket) => void;
  /**
   * Runs after a chat message is accepted and stored (the lottery's keyword entry listens here).
   * Errors are logged, never refused to the sender.
   */
  onChatMessage?: (ctx: AppContext, stream: StreamRecord, user: User, message: ChatMessage) => Promise<void>;
  /** Runs when a stream ends, on the node that ended it. */
  onStreamEnd?: (ctx: AppContext, stream: StreamRecord) => Promise<void>;
  /** Timers the feature runs on a server node (flushes, stats); returns a stop function. */
  start?: (ctx: AppContext) => () => Promise<void> | void;
}
