import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createViewerClient, type ViewerClient } from '@stickyroom/sdk';
import { createApp, type App } from '../../server/src/app.js';
import { phaseRooms, streamRoom } from '../../core/src/pusher.js';
import { createLogger } from '../../core/src/logger.js';
import { startTestApp, type TestApp } from '../helpers/app.js';

// A room's tick grows per CHAT_TICK_STEP_SOCKETS sockets and a grown tick is phased: with a step of one socket,
// a room of a few viewers gets its chat the way a 10,000-viewer room does, in phases.
const STEP = { CHAT_TICK_STEP_SOCKETS: '1' };

let t: TestApp;
/** A second node on the same Redis and prefix: its sockets hear node A's phases through the adapter. */
let nodeB: App;
let nodeBUrl: string;
beforeAll(async () => {
  t = await startTestApp(STEP);
  nodeB = createApp({ config: t.config, clock: t.clock, log: createLogger('silent', 'node-b') });
  nodeBUrl = `http://127.0.0.1:${await nodeB.listen(0, '127.0.0.1')}`;
});
afterAll(async () => {
  await nodeB.close();
  await t.close();
});

async function viewerOnB(streamId: string, sub: string): Promise<ViewerClient> {
  const v = createViewerClient({ url: nodeBUrl, token: await t.token('viewer', sub), transports: ['websocket'], heartbeats: false });
  await v.connect();
  await v.join(streamId);
  return v;
}

/** Every chat message id a client is told, in order (batches unpacked by the SDK). */
function heard(v: ViewerClient, streamId: string): string[] {
  const ids: string[] = [];
  v.on('chat:message', (m) => {
    if (m.streamId === streamId) ids.push(m.id);
  });
  return ids;
}

/** User ids of the sockets (on any node) in a stream's phase rooms, one entry per socket and phase room. */
async function inPhases(streamId: string): Promise<string[]> {
  const all = await Promise.all(phaseRooms(streamId).map((room) => t.app.io.in(room).fetchSockets()));
  return all.flat().map((s) => s.data.user.id);
}

describe('chat in phases (a room whose tick grew)', () => {
  it("gives every viewer on every node every message once, each node's messages in the order it accepted them, and puts each socket in exactly one phase", async () => {
    const id = await t.createStream('Phased', 'brand-a', { start: true });
    const viewers: ViewerClient[] = [];
    for (let i = 0; i < 6; i++) viewers.push(await t.joinedViewer(id, `pa-${i}`));
    for (let i = 0; i < 6; i++) viewers.push(await viewerOnB(id, `pb-${i}`));
    const inRoom = (await t.app.io.in(streamRoom(id)).fetchSockets()).map((s) => s.data.user.id).sort();
    expect(inRoom).toHaveLength(12);
    expect((await inPhases(id)).sort()).toEqual(inRoom);

    const logs = viewers.map((v) => heard(v, id));
    const sent: string[] = [];
    const byNode: [string[], string[]] = [[], []];
    // senders on both nodes, one message at a time so each node's order is known (each node batches what
    // it accepted on its own tick: across nodes, as without phases, the order is the ticks')
    for (let round = 0; round < 3; round++) {
      for (const [i, v] of viewers.entries()) {
        const { message } = await v.chat(id, `round ${round} from ${i}`);
        sent.push(message.id);
        byNode[i < 6 ? 0 : 1].push(message.id);
      }
    }
    await vi.waitFor(() => {
      for (const log of logs) expect(log).toHaveLength(sent.length);
    }, 10_000);
    for (const log of logs) {
      expect([...log].sort()).toEqual([...sent].sort());
      for (const ids of byNode) expect(log.filter((m) => ids.includes(m))).toEqual(ids);
    }
    viewers.forEach((v) => v.close());
  });

  it('takes a viewer who leaves or is banned out of its phase too: no more chat reaches them', async () => {
    const id = await t.createStream('Phased moderation', 'brand-a', { start: true });
    const mod = await t.streamer('mod-phases', 'brand-a', { role: 'moderator' });
    await mod.join(id);
    const stays = await t.joinedViewer(id, 'stays');
    const leaver = await t.joinedViewer(id, 'leaver');
    const troll = await viewerOnB(id, 'troll-b');
    const trollTab = await t.joinedViewer(id, 'troll-b');
    await leaver.leave(id);
    await mod.ban(id, 'troll-b');
    await vi.waitFor(async () => expect((await inPhases(id)).sort()).toEqual(['mod-phases', 'stays']));

    const told: string[] = [];
    for (const v of [leaver, troll, trollTab]) v.on('chat:message', (m) => told.push(m.text));
    const atStays = stays.once('chat:message', (m) => m.text === 'last call');
    await mod.chat(id, 'last call');
    await atStays;
    // the message reached the room's phases; whoever left them heard nothing
    expect(told).toEqual([]);
    for (const v of [stays, leaver, troll, trollTab, mod]) v.close();
  });
});
