import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { decode } from 'notepack.io';
import { userRoom } from '../../core/src/pusher.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { PrivateRedis } from '../helpers/redis-server.js';
import { uniquePrefix } from '../helpers/redis.js';

let redis: PrivateRedis;
let a: TestApp;
let b: TestApp;
const unhandled: unknown[] = [];
const onUnhandled = (err: unknown) => unhandled.push(err);

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  redis = await PrivateRedis.start();
  const env = { REDIS_URL: redis.url, REDIS_PREFIX: uniquePrefix('shard'), SOCKET_ADAPTER: 'sharded' };
  a = await startTestApp(env, { redisUrl: redis.url });
  b = await startTestApp(env, { redisUrl: redis.url, clock: a.clock });
}, 30_000);
afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  await b?.close();
  await a?.close();
  await redis?.remove();
});

/** The sharded channels Redis has subscribers for (the adapter's: `<prefix>io#/#<room>#`). */
async function shardChannels(): Promise<string[]> {
  const c = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  try {
    return ((await c.call('PUBSUB', 'SHARDCHANNELS')) as string[]).sort();
  } finally {
    c.disconnect();
  }
}
const roomChannel = (t: TestApp, room: string) => `${t.config.REDIS_PREFIX}io#/#${room}#`;

describe('the sharded Socket.IO adapter through a Redis outage', () => {
  it('subscribes a node to a room only while it has a socket there (a channel per room)', async () => {
    const viewer = await a.viewer('only-on-a');
    await expect.poll(shardChannels).toContain(roomChannel(a, userRoom('only-on-a')));
    viewer.close();
    await expect.poll(shardChannels).not.toContain(roomChannel(a, userRoom('only-on-a')));
  });

  it('sends broadcasts as MessagePack, not JSON (a third smaller on the wire), and the other node reads them', async () => {
    const listener = new Redis(redis.url);
    const listenerCheck = new Redis(redis.url);
    try {
      const got = new Promise<Buffer>((resolve) => listener.on('smessageBuffer', (_ch: Buffer, msg: Buffer) => resolve(msg)));
      await listener.ssubscribe(roomChannel(a, 's:wire'));
      const onB = await b.viewer('wire-on-b');
      await b.app.io.in(userRoom('wire-on-b')).socketsJoin('s:wire');
      // node B's SSUBSCRIBE is not awaited by the adapter: wait until Redis has it (the listener's and B's)
      const subscribers = async () => ((await listenerCheck.call('PUBSUB', 'SHARDNUMSUB', roomChannel(a, 's:wire'))) as [string, number])[1];
      await expect.poll(subscribers).toBe(2);
      const heard = onB.once('moderation:notice', (m) => m.streamId === 'wire');
      a.app.io.to('s:wire').emit('moderation:notice', { action: 'mute', streamId: 'wire', reason: 'packed' });
      const raw = await got;
      expect(raw[0]).not.toBe('{'.charCodeAt(0));
      expect(decode(raw)).toMatchObject({ type: expect.any(Number), data: expect.any(Object) });
      expect((await heard).reason).toBe('packed');
      onB.close();
    } finally {
      listener.disconnect();
      listenerCheck.disconnect();
    }
  });

  it('lets sockets come and go while Redis is down without an unhandled rejection, and subscribes the rooms made meanwhile once it is back', async () => {
    const leaving = await a.viewer('leaves-during-outage');
    const leavingChannel = roomChannel(a, userRoom('leaves-during-outage'));
    await expect.poll(shardChannels).toContain(leavingChannel);

    await redis.stop();
    // a NEW room on node A while Redis is away: the viewer's own room (joined on connect, no Redis needed)
    const late = await a.viewer('joins-during-outage');
    // and a room left while Redis is away (its SUNSUBSCRIBE fails too)
    leaving.close();
    // a server-side join and leave of a room nobody else is in, while Redis is away
    await a.app.io.in(userRoom('joins-during-outage')).socketsJoin('s:made-during-outage');
    await a.app.io.in(userRoom('joins-during-outage')).socketsLeave('s:made-during-outage');
    await a.app.io.in(userRoom('joins-during-outage')).socketsJoin('s:kept-from-outage');

    await redis.start();
    // node A asks again for every room it holds; the one left during the outage is not among them
    const lateChannel = roomChannel(a, userRoom('joins-during-outage'));
    await expect.poll(shardChannels, { timeout: 10_000, interval: 100 }).toEqual(expect.arrayContaining([lateChannel, roomChannel(a, 's:kept-from-outage')]));
    const channels = await shardChannels();
    expect(channels).not.toContain(leavingChannel);
    expect(channels).not.toContain(roomChannel(a, 's:made-during-outage'));

    // a broadcast from node B reaches the viewer who arrived on node A during the outage
    await expect.poll(async () => (await b.http('GET', '/readyz')).status, { timeout: 10_000, interval: 100 }).toBe(200);
    const toUser = late.once('moderation:notice', (n) => n.streamId === 'x');
    b.app.io.to(userRoom('joins-during-outage')).emit('moderation:notice', { action: 'mute', streamId: 'x', reason: 'from node B' });
    expect((await toUser).reason).toBe('from node B');
    const toRoom = late.once('moderation:notice', (n) => n.streamId === 'y');
    b.app.io.to('s:kept-from-outage').emit('moderation:notice', { action: 'mute', streamId: 'y', reason: 'to the kept room' });
    expect((await toRoom).reason).toBe('to the kept room');

    expect(unhandled).toEqual([]);
  }, 60_000);
});
