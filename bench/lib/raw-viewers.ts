import { performance } from 'node:perf_hooks';
import { PROTOCOL_VERSION } from '@stickyroom/sdk/protocol';
import { TokenService } from '../../core/src/identity/tokens.js';
import { ackBody, ackOk, RawClient, type FrameCounts, type PushCallback } from './raw-client.js';
import { bump } from './tally.js';

export interface ViewerWaves {
  url: string;
  jwtSecret: string;
  /** Viewers `<userPrefix><from>` to `<userPrefix><from + count - 1>`, connected `wave` at a time. */
  userPrefix: string;
  from: number;
  count: number;
  wave: number;
  ackTimeoutMs: number;
  /** Joined to this stream once connected; a refused or unanswered join closes the socket and counts as failed. */
  streamId?: string | undefined;
  counts: FrameCounts;
  onPush?: PushCallback;
}

/** Servers (by URL) that refused this protocol version (a `base` snapshot older than it), and the newest they speak. */
const olderServers = new Map<string, number>();

/**
 * The newest version a refusal says the server speaks (`... this server speaks protocol 1 to 2`); 1 when it
 * names none (a server older than the versions' range in its message).
 */
export function newestSpoken(refusal: string): number {
  const m = /speaks protocol (\d+)(?: to (\d+))?/.exec(refusal);
  return m ? Number(m[2] ?? m[1]) : 1;
}

/**
 * A raw socket speaking this tree's protocol version, or the newest one a server that does not speak it
 * yet speaks (so a `base` snapshot is measured as its own clients would talk to it). The socket's
 * `protocol` says which: a claim carries `fresh` only to a server of FRESH_CLAIM_PROTOCOL or later.
 */
/** What one viewer's socket needs of the waves it belongs to. */
export type ViewerConnection = Pick<ViewerWaves, 'url' | 'ackTimeoutMs' | 'streamId' | 'counts' | 'onPush'>;

async function connectRaw(o: ViewerConnection, token: string): Promise<RawClient> {
  const older = olderServers.get(o.url);
  if (older === undefined) {
    try {
      return await RawClient.connect(o.url, { token, protocol: PROTOCOL_VERSION }, o.counts, o.ackTimeoutMs, o.onPush);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.includes('is not supported')) throw err;
      olderServers.set(o.url, newestSpoken(err.message));
      return connectRaw(o, token);
    }
  }
  return RawClient.connect(o.url, older > 1 ? { token, protocol: older } : { token }, o.counts, o.ackTimeoutMs, o.onPush);
}

/** One raw viewer socket, joined to `o.streamId` when given (a refused or unanswered join closes it and throws). */
export async function connectViewer(o: ViewerConnection, token: string): Promise<RawClient> {
  const client = await connectRaw(o, token);
  const streamId = o.streamId;
  if (!streamId) return client;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => (client.close(), reject(new Error('join: ack timeout'))), o.ackTimeoutMs);
    client.emit('room:join', { streamId }, (json) => {
      clearTimeout(timer);
      if (ackOk(json)) return resolve(client);
      client.close();
      reject(new Error(`join: ${ackBody(json).error?.code ?? 'refused'}`));
    });
  });
}

/** Connects (and joins) raw viewer sockets in waves; the failures are counted by reason, not thrown. */
export async function connectViewers(o: ViewerWaves): Promise<{ sockets: RawClient[]; failed: number; errors: Record<string, number>; ms: number }> {
  const started = performance.now();
  const tokens = new TokenService(o.jwtSecret);
  const sockets: RawClient[] = [];
  const errors: Record<string, number> = {};
  let failed = 0;
  for (let at = 0; at < o.count; at += o.wave) {
    const ids = Array.from({ length: Math.min(o.wave, o.count - at) }, (_, i) => `${o.userPrefix}${o.from + at + i}`);
    const results = await Promise.allSettled(ids.map(async (id) => connectViewer(o, await tokens.sign({ sub: id, role: 'viewer', name: id }, '2h'))));
    for (const r of results) {
      if (r.status === 'fulfilled') sockets.push(r.value);
      else {
        failed++;
        bump(errors, (r.reason as Error).message);
      }
    }
  }
  return { sockets, failed, errors, ms: performance.now() - started };
}
