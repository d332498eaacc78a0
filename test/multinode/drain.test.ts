import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createViewerClient, type StateChange, type ViewerClient } from '@stickyroom/sdk';
import { startNodeProcesses, type NodeProcesses } from '../helpers/two-nodes.js';

/**
 * Issue 10: a node asked to stop (SIGTERM) drains. It stops taking sockets (the load balancer sends new
 * connections to the other node), tells its clients to move (`session:ended { reason: 'server_draining' }`)
 * and the SDK reconnects at a random point of its drain window, so a rolling restart is not a join storm.
 */
const BRAND = 'brand-drain';
const SPREAD_MS = 4000;
const PER_NODE = 8;
let n: NodeProcesses;
const clients: ViewerClient[] = [];

beforeAll(async () => {
  n = await startNodeProcesses({ servers: 2, workers: 0, env: { NODE_ENV: 'test', CHAT_RATE_LIMIT: '1000' } });
}, 120_000);
afterAll(async () => {
  for (const c of clients) c.close();
  await n?.close();
});

async function liveStream(): Promise<string> {
  const url = n.nodes[1]!.url;
  const headers = { authorization: `Bearer ${await n.tokens.sign({ sub: 'host', role: 'streamer', brandId: BRAND }, '1h')}`, 'content-type': 'application/json' };
  const created = await fetch(`${url}/api/streams`, { method: 'POST', headers, body: JSON.stringify({ title: 'Drain' }) });
  const { id } = (await created.json()) as { id: string };
  expect((await fetch(`${url}/api/streams/${id}/start`, { method: 'POST', headers })).status).toBe(200);
  return id;
}

describe('a node asked to stop', () => {
  it('tells its viewers to move; they reconnect to the other node spread over the drain window and rejoin', async () => {
    const id = await liveStream();
    // through the balancer, round robin: viewer k on node k % 2
    const changes: { k: number; change: StateChange; at: number }[] = [];
    for (let k = 0; k < 2 * PER_NODE; k++) {
      const c = createViewerClient({
        url: n.lb.url,
        token: await n.tokens.sign({ sub: `d-${k}`, role: 'viewer' }, '1h'),
        transports: ['websocket'],
        heartbeats: false,
        reconnect: { drainSpreadMs: SPREAD_MS },
      });
      clients.push(c);
      await c.connect();
      await c.join(id);
      c.on('state', (change) => changes.push({ k, change, at: Date.now() }));
    }
    const onDrained = clients.filter((_, k) => k % 2 === 0);
    const rejoined = onDrained.map((c) => new Promise((resolve) => c.on('rejoined', resolve)));
    const routedBefore = n.lb.routed.get(n.nodes[1]!.port) ?? 0;

    const stoppedAt = Date.now();
    const exit = n.nodes[0]!.stop('SIGTERM');
    await Promise.all(rejoined);
    expect(await exit).toBe(0);

    const moved = changes.filter((c) => c.change.state === 'connecting');
    expect(moved.map((c) => c.k).sort((a, b) => a - b)).toEqual(onDrained.map((_, i) => 2 * i));
    expect(moved.every((c) => c.change.reason === 'server_draining')).toBe(true);
    expect(n.lb.routed.get(n.nodes[1]!.port)! - routedBefore).toBe(PER_NODE);
    // spread: the reconnects are drawn uniformly over the window, not all at the first backoff step
    const back = changes.filter((c) => c.change.state === 'connected').map((c) => c.at - stoppedAt);
    expect(back).toHaveLength(PER_NODE);
    const spread = Math.max(...back) - Math.min(...back);
    expect(spread).toBeGreaterThan(SPREAD_MS / 4);
    console.info(`drain: ${PER_NODE} viewers reconnected after ${Math.min(...back)}..${Math.max(...back)} ms (spread ${spread} ms, window ${SPREAD_MS} ms)`);

    // and they hear the room again: a chat from the remaining node reaches all of them
    const heard = clients.map((c) => c.once('chat:message', (m) => m.text === 'after the drain'));
    await clients[1]!.chat(id, 'after the drain');
    await Promise.all(heard);
  }, 60_000);
});
