import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streamRoom } from '../../core/src/pusher.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { captureLog, RedisCluster } from '../helpers/redis-cluster.js';

/**
 * The sharded Socket.IO adapter on a Redis Cluster: a channel per room, each on the shard that owns its slot.
 * Two server nodes; a room's broadcast from one reaches the viewers on the other, whatever shard its
 * channel lives on. And the trap this depends on: an ioredis Cluster subscriber made without
 * `shardedSubscribers` sends every SSUBSCRIBE to one node, so the rooms whose channel lives on another
 * shard are never subscribed and their broadcasts reach no one.
 */
const ROOMS = 12;
let cluster: RedisCluster;
let a: TestApp;
let b: TestApp;
const logA = captureLog('node-a');
const logB = captureLog('node-b');

beforeAll(async () => {
  cluster = await RedisCluster.start();
  a = await startTestApp({}, { redisCluster: cluster.seeds, log: logA.log });
  b = await startTestApp({ REDIS_PREFIX: a.prefix }, { redisCluster: cluster.seeds, log: logB.log, clock: a.clock });
}, 60_000);

afterAll(async () => {
  await b?.close();
  await a?.close();
  await cluster?.remove();
});

/** The sharded adapter's channel of a room (`<prefix>io#/#<room>#`). */
const roomChannel = (t: TestApp, room: string) => `${t.app.ctx.keys.ioChannel}#/#${room}#`;

async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`${what}: not reached`);
}

/** The primaries that own the slots of `channels`. */
async function shardsOf(channels: string[]): Promise<Set<number>> {
  const owners = new Set<number>();
  for (const ch of channels) owners.add((await cluster.primaryOf(ch)).port);
  return owners;
}

describe('the sharded adapter on a Redis Cluster', () => {
  it('carries every room\'s broadcast to the other server node, whichever shard holds its channel', async () => {
    const streams = await Promise.all(Array.from({ length: ROOMS }, (_, i) => a.createStream(`Room ${i}`, 'brand-a', { start: true })));
    const channels = streams.map((s) => roomChannel(a, streamRoom(s)));
    expect((await shardsOf(channels)).size).toBeGreaterThan(1);
    const talkers = await Promise.all(streams.map((s, i) => a.joinedViewer(s, `talker-${i}`)));
    const listeners = await Promise.all(streams.map((s, i) => b.joinedViewer(s, `listener-${i}`)));
    // the adapter subscribes a room's channel when the room is created, without waiting for it: both nodes are subscribed before anyone talks
    for (const ch of channels) await until(`both nodes subscribed to ${ch}`, async () => (await cluster.shardSubscribers(ch)) === 2);

    const heard = listeners.map((v, i) => v.once('chat:message', (m) => m.streamId === streams[i] && m.text === `hello room ${i}`));
    await Promise.all(talkers.map((v, i) => v.chat(streams[i]!, `hello room ${i}`)));
    expect((await Promise.all(heard)).map((m) => m.userId)).toEqual(streams.map((_, i) => `talker-${i}`));
    expect([...logA.errors(), ...logB.errors()]).toEqual([]);
  });

  it('(the trap) without shardedSubscribers, the rooms on other shards are never subscribed and nothing says so', async () => {
    // enough rooms that the one shard ioredis subscribes on surely owns some of them (and not all)
    const channels = Array.from({ length: 2 * ROOMS }, (_, i) => `${a.prefix}trap#/#s:room-${i}#`);
    expect((await shardsOf(channels)).size).toBeGreaterThan(1);
    const seeds = cluster.nodes.map((n) => ({ host: '127.0.0.1', port: n.port }));
    const subscribe = async (shardedSubscribers: boolean) => {
      const sub = new Cluster(seeds, { shardedSubscribers, redisOptions: { maxRetriesPerRequest: 1 } });
      try {
        // as the adapter does: one SSUBSCRIBE per room, and it never looks at the outcome
        const state = channels.map(() => 'pending');
        channels.forEach((ch, i) => {
          sub.ssubscribe(ch).then(
            () => (state[i] = 'subscribed'),
            (err: Error) => (state[i] = `refused: ${err.message}`),
          );
        });
        await until('a subscription confirmed', async () => state.includes('subscribed'));
        if (shardedSubscribers) await until('every subscription confirmed', async () => state.every((x) => x === 'subscribed'));
        // who would hear a room's broadcast: the clients subscribed to its channel on any node of its shard
        // (SPUBLISH's own count would miss a subscriber on a replica)
        const reached: number[] = [];
        for (const ch of channels) reached.push(await cluster.shardSubscribers(ch));
        return { reached, state: [...state] };
      } finally {
        sub.disconnect();
      }
    };

    const right = await subscribe(true);
    expect(right.reached).toEqual(channels.map(() => 1));

    const wrong = await subscribe(false);
    const lost = channels.flatMap((_, i) => (wrong.reached[i] === 0 ? [i] : []));
    expect(lost.length).toBeGreaterThan(0);
    // and no error for any of them: their SSUBSCRIBE just never completes
    expect(lost.map((i) => wrong.state[i])).toEqual(lost.map(() => 'pending'));
    console.info(`without shardedSubscribers: ${lost.length} of ${channels.length} rooms would reach no one on the other node, with no error`);
  });
});
