import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createStreamerClient, createViewerClient, type StreamerClient, type ViewerClient } from '@stickyroom/sdk';
import { StreamSummary as StreamSummarySchema } from '@stickyroom/sdk/protocol';
import { TokenService } from '../../core/src/identity/tokens.js';
import { Keys } from '../../core/src/redis/keys.js';
import { activityKeys } from '../../core/src/activity/activity.keys.js';
import { codeIndexKey, couponKeys, dropKeys } from '../../core/src/coupons/coupons.keys.js';
import { TEST_JWT_SECRET, TEST_WEBHOOK_SECRET } from '../helpers/app.js';
import { startServerProcess, type RunningProcess } from '../helpers/process.js';
import { freePort, PrivateRedis } from '../helpers/redis-server.js';
import { uniquePrefix } from '../helpers/redis.js';

/**
 * Issue 8, item 3: a server node PROCESS is killed with SIGKILL in the middle of a 1,000-claim burst and
 * started again. Every claim is retried by its viewer with the same opId until it is answered. Every
 * acknowledged claim has its code, no coupon is over-claimed, and the summary counts exactly the claims
 * that committed (before the ledger write moved into the claim script, 119 and 223 of 300 were counted).
 */
const BRAND = 'brand-burst';
const VIEWERS = 100;
const CLAIMS_PER_VIEWER = 10;
const QUANTITY = 700;
/** Answers a viewer retries: no answer, or not joined yet (the SDK rejoins the room after reconnecting). */
const RETRYABLE = new Set(['timeout', 'disconnected', 'unavailable', 'forbidden']);

const processes: RunningProcess[] = [];
const clients: { close(): void }[] = [];
let redis: PrivateRedis | undefined;
let direct: Redis | undefined;

afterAll(async () => {
  for (const c of clients) c.close();
  for (const p of processes) await p.stop('SIGKILL');
  direct?.disconnect();
  await redis?.remove();
});

describe('a server node killed in the middle of a 1,000-claim burst', () => {
  it('leaves every acknowledged claim with its code, no over-claim, and the summary counting the committed claims', { timeout: 180_000 }, async () => {
    redis = await PrivateRedis.start();
    direct = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    const prefix = uniquePrefix('burst');
    const portB = await freePort();
    const env = {
      NODE_ENV: 'test',
      REDIS_URL: redis.url,
      REDIS_PREFIX: prefix,
      JWT_SECRET: TEST_JWT_SECRET,
      WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
      EVENT_RATE_LIMIT: '100000',
    };
    const nodeA = await startServerProcess(env);
    processes.push(nodeA);
    let nodeB = await startServerProcess({ ...env, PORT: String(portB) });
    processes.push(nodeB);
    const urlB = `http://127.0.0.1:${portB}`;

    const tokens = new TokenService(TEST_JWT_SECRET);
    const hostToken = await tokens.sign({ sub: 'host', role: 'streamer', brandId: BRAND }, '1h');
    const api = (method: string, path: string, body?: unknown) =>
      fetch(nodeA.url + path, {
        method,
        headers: { authorization: `Bearer ${hostToken}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
    const streamId = ((await (await api('POST', '/api/streams', { title: 'burst' })).json()) as { id: string }).id;
    expect((await api('POST', `/api/streams/${streamId}/start`)).status).toBe(200);
    const host: StreamerClient = await createStreamerClient({ url: nodeA.url, token: hostToken, transports: ['websocket'] }).connect();
    clients.push(host);
    await host.join(streamId);
    const { drop } = await host.dropCoupon(streamId, {
      title: 'burst',
      discount: { type: 'percent', value: 5 },
      quantity: QUANTITY,
      perViewer: CLAIMS_PER_VIEWER,
      durationSec: 600,
    });

    // half the viewers on node A, half on node B (the one killed); they reconnect to B's port
    const viewers: { id: string; client: ViewerClient }[] = await Promise.all(
      Array.from({ length: VIEWERS }, async (_, i) => {
        const id = `v${i}`;
        const client = createViewerClient({
          url: i % 2 === 0 ? nodeA.url : urlB,
          token: await tokens.sign({ sub: id, role: 'viewer' }, '1h'),
          transports: ['websocket'],
          heartbeats: false,
          ackTimeoutMs: 3000,
        });
        clients.push(client);
        await client.connect();
        await client.join(streamId);
        return { id, client };
      }),
    );

    // each viewer claims CLAIMS_PER_VIEWER times, each claim retried with its opId until it is answered
    const acked: { viewerId: string; code: string; opId: string }[] = [];
    const refused: Record<string, number> = {};
    const retried: Record<string, number> = {};
    let answered = 0;
    const claim = async (v: { id: string; client: ViewerClient }, opId: string): Promise<void> => {
      // retried for up to a minute: a node restarted on a loaded machine can take tens of seconds to listen
      const giveUpAt = Date.now() + 60_000;
      for (;;) {
        try {
          const { code } = await v.client.claimCoupon(drop.id, { opId, retries: 0 });
          acked.push({ viewerId: v.id, code, opId });
          break;
        } catch (err) {
          const code = (err as { code?: string }).code ?? 'unknown';
          if (!RETRYABLE.has(code) || Date.now() > giveUpAt) {
            refused[code] = (refused[code] ?? 0) + 1;
            break;
          }
          retried[code] = (retried[code] ?? 0) + 1;
          await new Promise((r) => setTimeout(r, 100));
          if (v.client.state === 'disconnected') await v.client.connect().catch(() => undefined);
        }
      }
      answered++;
    };
    const burst = Promise.all(
      viewers.map(async (v) => {
        for (let i = 0; i < CLAIMS_PER_VIEWER; i++) await claim(v, `${v.id}-op-${i}`);
      }),
    );

    // kill node B mid-burst, and start it again on its port
    await expect.poll(() => answered, { timeout: 60_000, interval: 5 }).toBeGreaterThanOrEqual(250);
    await nodeB.stop('SIGKILL');
    const answeredAtKill = answered;
    nodeB = await startServerProcess({ ...env, PORT: String(portB) });
    processes.push(nodeB);
    await burst;
    expect(answeredAtKill).toBeLessThan(VIEWERS * CLAIMS_PER_VIEWER);
    // the kill was felt: claims in flight on node B had to be retried
    expect(Object.values(retried).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);

    // what committed, read straight from Redis
    const keys = new Keys(prefix);
    const codes = Object.entries(await direct.hgetall(couponKeys(keys, streamId).codes)).map(([code, raw]) => ({
      code,
      viewerId: (JSON.parse(raw) as { viewerId: string }).viewerId,
    }));
    const remaining = Number(await direct.hget(dropKeys(keys, streamId, drop.id).meta, 'remaining'));
    const perViewer = Object.values(await direct.hgetall(dropKeys(keys, streamId, drop.id).claims)).map(Number);

    // every claim was answered; every acknowledged code committed for its viewer, once
    expect(acked.length + Object.values(refused).reduce((a, b) => a + b, 0)).toBe(VIEWERS * CLAIMS_PER_VIEWER);
    expect(Object.keys(refused).filter((c) => c !== 'sold_out')).toEqual([]);
    // no code acknowledged twice (named with the claims that got it, so a failure says whose claims collided)
    const holders = new Map<string, string[]>();
    for (const a of acked) holders.set(a.code, [...(holders.get(a.code) ?? []), a.opId]);
    expect([...holders].filter(([, who]) => who.length > 1)).toEqual([]);
    const committed = new Map(codes.map((c) => [c.code, c.viewerId]));
    for (const a of acked) expect(committed.get(a.code), a.code).toBe(a.viewerId);
    // every acknowledged code is in the global index, so an order finds it (indexed after the script, before the ack)
    const index = await direct.mget(...acked.map((a) => codeIndexKey(keys, a.code)));
    expect(acked.filter((a, i) => index[i] !== streamId).map((a) => a.code)).toEqual([]);
    // no over-claim: the stock spent is the codes issued, each viewer within perViewer
    expect(codes.length).toBe(QUANTITY - remaining);
    expect(codes.length).toBeLessThanOrEqual(QUANTITY);
    expect(Math.max(...perViewer)).toBeLessThanOrEqual(CLAIMS_PER_VIEWER);
    expect(perViewer.reduce((a, b) => a + b, 0)).toBe(codes.length);
    // each claim was retried until answered, so every committed code was acknowledged
    expect(acked.length).toBe(codes.length);

    // the ledger and the summary count exactly the committed claims
    const totals = await direct.hget(activityKeys(keys, streamId).totals, 'couponClaims');
    expect(Number(totals)).toBe(codes.length);
    const analyst = await tokens.sign({ sub: 'analyst', role: 'brand', brandId: BRAND }, '1h');
    const res = await fetch(`${nodeA.url}/api/streams/${streamId}/summary`, { headers: { authorization: `Bearer ${analyst}` } });
    const summary = StreamSummarySchema.parse(await res.json());
    expect(summary.couponClaims).toBe(codes.length);
  });
});
