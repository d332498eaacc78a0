import type { ErrorCode, StreamSummary } from '@stickyroom/sdk/protocol';
import type { Config } from '../config.js';
import type { StreamRecord } from '../streams/streams.store.js';

/** What a node gives its summary thread when starting it. */
export interface ThreadData {
  config: Config;
}

/** Node to thread: refresh `stream`'s live summary at time `now` (the node's clock); or finish and end. */
export type ToThread = { type: 'refresh'; id: number; stream: StreamRecord; now: number } | { type: 'close' };

/** Thread to node: the stored summary (null: another node holds the lease), or why the refresh failed. */
export type FromThread =
  | { type: 'done'; id: number; summary: StreamSummary | null }
  | { type: 'failed'; id: number; error: { message: string; code: ErrorCode | undefined; unavailable: boolean } };
