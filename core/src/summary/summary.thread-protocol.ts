import type { ErrorCode, StreamSummary } from '@stickyroom/sdk/protocol';
import type { Config } from '../config.js';
import type { StreamRecord } from '../streams/streams.store.js';

/** What a node gives its summary thread when starting it. */
export interface ThreadData {
  config: Config;
}

/** Node to thread: refresh `stream`'s live summary at time `now` (the node's clock); or finish and end. */
export type ToThread = { type: 'refresh'; id: number; stream: StreamRecord; now: number } | { type: 'close' };

/**
 * Thread to node: the stored summary (null: another node holds the lease), or why the refresh failed; or a
 * line the thread logged (pino's JSON), which the node writes through its own logger; or the end of a close.
 */
export type FromThread =
  | { type: 'log'; line: string }
  /** After `close`: the refreshes in hand are done and Redis is closed; the node ends the thread. */
  | { type: 'closed' }
  | { type: 'done'; id: number; summary: StreamSummary | null }
  | { type: 'failed'; id: number; error: { message: string; code: ErrorCode | undefined; unavailable: boolean } };
