import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../core/src/logger.js';
import { signBody } from '../../server/src/http/webhook-signature.js';
import { serveWorkerHttp, type WorkerHttp } from '../../worker/src/http.js';
import { startWorker, type RunningWorker } from '../../worker/src/worker.js';
import { startTestApp, TEST_WEBHOOK_SECRET, type TestApp } from '../helpers/app.js';

const METRICS_TOKEN = 'metrics-token-0123456789abcdef';

let t: TestApp;
let worker: RunningWorker;
let workerHttp: WorkerHttp;
let workerUrl: string;

beforeAll(async () => {
  t = await startTestApp({ METRICS_TOKEN, MAX_CONNECTIONS_PER_USER: '1' });
  worker = startWorker({ config: t.config, log: createLogger('silent', 'test-worker'), clock: t.clock });
  workerHttp = await serveWorkerHttp(worker, t.config, createLogger('silent', 'test-worker'), 0, '127.0.0.1');
  workerUrl = `http://127.0.0.1:${workerHttp.port}`;
});
afterAll(async () => {
  await worker?.close();
  await workerHttp?.close();
  await t?.close();
});

/** One sample of the Prometheus text: `name{labels} value`. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function parse(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) throw new Error(`unparsable metrics line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

async function scrape(url: string, token: string | null = METRICS_TOKEN): Promise<{ status: number; samples: Sample[] }> {
  const res = await fetch(`${url}/metrics`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  const text = await res.text();
  return { status: res.status, samples: res.status === 200 ? parse(text) : [] };
}

/** The value of the series `name` whose labels include `labels` (summed when several match), 0 when none. */
function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

describe('/metrics of a server node and of the worker', () => {
  it('require METRICS_TOKEN when one is set', async () => {
    expect((await scrape(t.url, null)).status).toBe(401);
    expect((await scrape(t.url, 'wrong-token-0123456789')).status).toBe(401);
    expect((await scrape(workerUrl, null)).status).toBe(401);
    expect((await scrape(workerUrl, 'wrong-token-0123456789')).status).toBe(401);
    expect((await scrape(workerUrl)).status).toBe(200);
  });

  it('move with traffic: HTTP, webhook, sockets, chat, claims, Redis, jobs', async () => {
    const before = (await scrape(t.url)).samples;
    const workerBefore = (await scrape(workerUrl)).samples;

    // HTTP: a stream created (a route with a pattern) and a path no route takes
    const streamId = await t.createStream('Metrics', 'brand-a', { start: true });
    expect((await t.http('GET', `/api/streams/${streamId}`)).status).toBeLessThan(500);
    expect((await t.http('GET', '/no/such/page/12345')).status).toBe(404);

    // sockets: a refused handshake, two viewers joined, one leaves
    await expect(t.viewer('nobody', { token: 'not-a-token' })).rejects.toMatchObject({ code: 'unauthorized' });
    const alice = await t.joinedViewer(streamId, 'alice');
    const bob = await t.joinedViewer(streamId, 'bob');

    // chat: one message fanned out in a batch
    const heard = bob.once('chat:message', (m) => m.text === 'hello metrics');
    await alice.chat(streamId, 'hello metrics');
    await heard;

    // claims: one code, then sold out
    const host = await t.streamer('host-a');
    const { drop } = await host.dropCoupon(streamId, { title: 'one', discount: { type: 'amount', value: 5 }, quantity: 1, durationSec: 600 });
    const { code } = await alice.claimCoupon(drop.id);
    await expect(bob.claimCoupon(drop.id)).rejects.toMatchObject({ code: 'sold_out' });

    // webhook: one accepted, its replay a duplicate, one with a bad signature
    const raw = JSON.stringify({ orderId: 'o-metrics-1', viewerId: 'alice', amount: 10, currency: 'USD', couponCode: code });
    const post = (signature: string) => t.http('POST', '/api/webhooks/orders', { raw, headers: { 'x-stickyroom-signature': signature } });
    expect((await post(signBody(TEST_WEBHOOK_SECRET, raw))).status).toBe(200);
    expect((await post(signBody(TEST_WEBHOOK_SECRET, raw))).body).toMatchObject({ duplicate: true });
    expect((await post(signBody('not-the-secret-0123456789', raw))).status).toBe(401);

    // a job the worker runs
    const jobId = `rollup.end-${streamId}`;
    const ran = new Promise<void>((resolve) => {
      const done = (job: { id?: string }) => {
        if (job.id !== jobId) return;
        worker.worker.off('completed', done);
        resolve();
      };
      worker.worker.on('completed', done);
    });
    await t.app.ctx.jobs.at({ type: 'rollup', streamId }, t.clock.now(), t.clock.now());
    await ran;

    // the server sees bob leave
    const bobOnServer = [...t.app.io.of('/').sockets.values()].find((s) => s.data.user.id === 'bob')!;
    const left = new Promise((resolve) => bobOnServer.once('disconnect', resolve));
    bob.close();
    await left;

    // a second socket of alice's ends her first one's session (too_many_connections)
    const aliceOnServer = [...t.app.io.of('/').sockets.values()].find((s) => s.data.user.id === 'alice')!;
    const replaced = new Promise((resolve) => aliceOnServer.once('disconnect', resolve));
    await t.viewer('alice');
    await replaced;

    const after = (await scrape(t.url)).samples;
    const moved = (name: string, labels: Record<string, string> = {}) => value(after, name, labels) - value(before, name, labels);

    expect(moved('stickyroom_http_requests_total', { method: 'POST', route: '/api/streams', status: '201' })).toBe(1);
    expect(moved('stickyroom_http_requests_total', { method: 'GET', route: '/api/streams/:id' })).toBe(1);
    expect(moved('stickyroom_http_requests_total', { method: 'GET', route: 'unmatched', status: '404' })).toBe(1);
    expect(moved('stickyroom_http_request_duration_seconds_count', { method: 'POST', route: '/api/streams' })).toBe(1);
    // never a raw path in a label
    expect(after.some((s) => s.labels.route?.includes(streamId))).toBe(false);

    expect(moved('stickyroom_order_webhooks_total', { outcome: 'accepted' })).toBe(1);
    expect(moved('stickyroom_order_webhooks_total', { outcome: 'duplicate' })).toBe(1);
    expect(moved('stickyroom_order_webhooks_total', { outcome: 'bad_signature' })).toBe(1);
    expect(moved('stickyroom_http_requests_total', { method: 'POST', route: '/api/webhooks/orders', status: '401' })).toBe(1);

    expect(moved('stickyroom_socket_connect_refusals_total', { code: 'unauthorized' })).toBe(1);
    expect(moved('stickyroom_socket_connects_total')).toBeGreaterThanOrEqual(3);
    expect(moved('stickyroom_socket_disconnects_total', { reason: 'client_namespace_disconnect' })).toBe(1);
    expect(moved('stickyroom_socket_disconnects_total', { reason: 'too_many_connections' })).toBe(1);
    expect(moved('stickyroom_socket_events_total', { event: 'room:join', code: 'ok' })).toBe(2);
    expect(moved('stickyroom_socket_event_seconds_count', { event: 'chat:send' })).toBe(1);

    expect(moved('stickyroom_chat_fanout_frames_total', { kind: 'batch' })).toBe(1);
    expect(moved('stickyroom_chat_fanout_batch_size_sum')).toBe(1);

    expect(moved('stickyroom_coupon_claims_total', { outcome: 'code' })).toBe(1);
    expect(moved('stickyroom_coupon_claims_total', { outcome: 'sold_out' })).toBe(1);

    expect(moved('stickyroom_redis_command_duration_seconds_count', { client: 'cmd', command: 'evalsha' })).toBeGreaterThan(0);
    expect(value(after, 'stickyroom_redis_command_duration_seconds_count', { client: 'bull' })).toBeGreaterThan(0);
    expect(value(after, 'stickyroom_nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
    expect(after.some((s) => s.name === 'stickyroom_nodejs_eventloop_lag_p99_seconds')).toBe(true);
    // the timer-lag probe runs from the start of the process
    expect(value(after, 'stickyroom_timer_lag_seconds_count')).toBeGreaterThan(0);
    expect(value(after, 'stickyroom_timer_lag_max_seconds')).toBeGreaterThanOrEqual(0);

    const w = (await scrape(workerUrl)).samples;
    const workerMoved = (name: string, labels: Record<string, string> = {}) => value(w, name, labels) - value(workerBefore, name, labels);
    expect(workerMoved('stickyroom_jobs_total', { name: 'rollup', outcome: 'completed' })).toBeGreaterThanOrEqual(1);
    expect(workerMoved('stickyroom_job_duration_seconds_count', { name: 'rollup' })).toBeGreaterThanOrEqual(1);
    expect(w.filter((s) => s.name === 'stickyroom_queue_jobs').map((s) => s.labels.state)).toEqual(
      expect.arrayContaining(['waiting', 'active', 'delayed', 'failed', 'completed']),
    );
    expect(value(w, 'stickyroom_queue_jobs', { queue: 'stickyroom', state: 'completed' })).toBeGreaterThanOrEqual(1);
    expect(workerMoved('stickyroom_redis_command_duration_seconds_count', { client: 'worker-cmd' })).toBeGreaterThan(0);
    // the blocking fetch is not timed (it waits on purpose), but the consumer's other commands are
    expect(value(w, 'stickyroom_redis_command_duration_seconds_count', { client: 'worker-consumer', command: 'bzpopmin' })).toBe(0);
    expect(w.some((s) => s.name === 'stickyroom_nodejs_eventloop_lag_seconds')).toBe(true);
    expect(w.some((s) => s.name === 'stickyroom_timer_lag_max_seconds')).toBe(true);
    // the worker serves no server metric
    expect(w.some((s) => s.name.startsWith('stickyroom_http_'))).toBe(false);
  });
});

describe('worker /healthz', () => {
  it('is 200 while Redis is ready and the worker runs, 503 once it stops', async () => {
    const log = createLogger('silent', 'test-worker');
    const w = startWorker({ config: t.config, log, clock: t.clock });
    const http = await serveWorkerHttp(w, t.config, log, 0, '127.0.0.1');
    try {
      const url = `http://127.0.0.1:${http.port}/healthz`;
      await w.whenReady();
      const ready = await fetch(url);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ ok: true, worker: 'running' });
      await w.close();
      const stopped = await fetch(url);
      expect(stopped.status).toBe(503);
      expect(await stopped.json()).toMatchObject({ ok: false, worker: 'stopped' });
      expect((await fetch(`http://127.0.0.1:${http.port}/nope`)).status).toBe(404);
    } finally {
      await w.close();
      await http.close();
    }
  });
});
