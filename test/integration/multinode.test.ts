import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStreamerClient, createViewerClient, type StickyroomClient } from '@stickyroom/sdk';
import { TokenService } from '../../core/src/identity/tokens.js';
import { startServerProcess, type RunningProcess } from '../helpers/process.js';
import { dropPrefix, TEST_REDIS_URL, uniquePrefix } from '../helpers/redis.js';

const SECRET = 'multinode-secret-0123456789';
const prefix = uniquePrefix('mn');
const tokens = new TokenService(SECRET);
let nodes: (RunningProcess & { url: string })[] = [];
const clients: StickyroomClient[] = [];

beforeAll(async () => {
  const env = { REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix, JWT_SECRET: SECRET, WEBHOOK_SECRET: 'multinode-webhook-0123456789', CHAT_TICK_MS: '20' };
  nodes = await Promise.all([startServerProcess(env), startServerProcess(env)]);
}, 60_000);

afterAll(async () => {
  for (const c of clients) c.close();
  await Promise.all(nodes.map((n) => n.stop()));
  await dropPrefix(prefix);
});

async function viewerOn(node: number, sub: string) {
  const c = createViewerClient({ url: nodes[node]!.url, token: await tokens.sign({ sub, role: 'viewer' }), transports: ['websocket'], heartbeats: false });
  clients.push(c);
  return c.connect();
}
async function streamerOn(node: number, sub = 'host') {
  const c = createStreamerClient({ url: nodes[node]!.url, token: await tokens.sign({ sub, role: 'streamer', brandId: 'acme' }), transports: ['websocket'] });
  clients.push(c);
  return c.connect();
}
async function createStream(node: number): Promise<string> {
  const res = await fetch(`${nodes[node]!.url}/api/streams`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await tokens.sign({ sub: 'host', role: 'streamer', brandId: 'acme' })}` },
    body: JSON.stringify({ title: 'Two nodes' }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

describe('two server processes sharing rooms through Redis', () => {
  it('serves a stream created on one node from the other', async () => {
    const id = await createStream(0);
    const viewer = await viewerOn(1, 'v-b');
    const joined = await viewer.join(id);
    expect(joined.stream).toMatchObject({ id, status: 'scheduled', brandId: 'acme' });
  });

  it('pushes a state change made on node A to a viewer on node B', async () => {
    const id = await createStream(0);
    const viewer = await viewerOn(1, 'v-b2');
    await viewer.join(id);
    const host = await streamerOn(0);
    const live = viewer.once('stream:state', (s) => s.stream.status === 'live');
    await host.start(id);
    expect((await live).stream.id).toBe(id);
  });

  it('lets the stream start once when both nodes are asked at the same moment', async () => {
    const id = await createStream(0);
    const [a, b] = await Promise.all([streamerOn(0, 'host-a'), streamerOn(1, 'host-b')]);
    const viewer = await viewerOn(0, 'v-race');
    await viewer.join(id);
    let pushes = 0;
    viewer.on('stream:state', () => pushes++);
    const [ra, rb] = await Promise.all([a.start(id), b.start(id)]);
    expect(ra.stream.startedAt).toBe(rb.stream.startedAt);
    // one transition, so one push; wait for a later push of our own to know the first has arrived
    await Promise.all([viewer.once('stream:state', (s) => s.stream.status === 'ended'), a.end(id)]);
    expect(pushes).toBe(2);
  });
});
