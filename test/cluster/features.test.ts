import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { couponStore } from '../../core/src/coupons/coupons.service.js';
import { productStore } from '../../core/src/products/products.service.js';
import { presenceSummary } from '../../core/src/presence/presence.store.js';
import { createRedis, isCluster, type RedisClient } from '../../core/src/redis/client.js';
import { Keys } from '../../core/src/redis/keys.js';
import { eventGate, userGate } from '../../core/src/redis/event-gate.js';
import { isRedisUnavailable } from '../../core/src/redis/outage.js';
import { definedScripts } from '../../core/src/redis/scripts.js';
import { hashTag } from '../../core/src/redis/slot-batch.js';
import { signBody } from '../../server/src/http/webhook-signature.js';
import { applyRetention } from '../../core/src/exports/retention.js';
import { startWorker, type RunningWorker } from '../../worker/src/worker.js';
import { startTestApp, TEST_WEBHOOK_SECRET, type TestApp } from '../helpers/app.js';
import { captureLog, REDIRECTION_ERRORS, RedisCluster } from '../helpers/redis-cluster.js';
import { anyArgs, importEveryScript } from '../helpers/script-args.js';

/**
 * Every feature through the real server and worker on a local Redis Cluster (3 primaries, 3 replicas). Any
 * CROSSSLOT, or a MOVED/ASK that reached the application, fails the run: the nodes count the error replies
 * they sent (INFO errorstats) and the processes' warn/error lines are read.
 */
let cluster: RedisCluster;
let t: TestApp;
let worker: RunningWorker;
const server = captureLog('server');
const workerLog = captureLog('worker');

beforeAll(async () => {
  cluster = await RedisCluster.start();
  t = await startTestApp({}, { redisCluster: cluster.seeds, log: server.log });
  worker = startWorker({ config: t.config, log: workerLog.log, clock: t.clock });
}, 60_000);

afterAll(async () => {
  await worker?.close();
  await t?.close();
  await cluster?.remove();
});

/** Resolves when the in-process worker has completed job `jobId`. */
function jobDone(jobId: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (job: { id?: string | undefined }) => {
      if (job.id !== jobId) return;
      worker.worker.off('completed', done);
      resolve();
    };
    worker.worker.on('completed', done);
    worker.worker.on('failed', (job, err) => job?.id === jobId && reject(err));
  });
}

describe('on a Redis Cluster', () => {
  it('uses a cluster client for commands and jobs', () => {
    expect(isCluster(t.app.ctx.redis)).toBe(true);
    expect(isCluster(worker.ctx.redis)).toBe(true);
  });

  it('runs every Lua script, plain and gated, on the node of its keys (no CROSSSLOT, no redirection)', async () => {
    await importEveryScript();
    const redis: RedisClient = createRedis({ cluster: t.config.REDIS_CLUSTER_NODES!, log: server.log, name: 'scripts-test' });
    const keys = new Keys(t.prefix);
    const refused: string[] = [];
    let ran = 0;
    try {
      for (const script of definedScripts()) {
        for (const streamId of ['s-one', 's-two', 's-three']) {
          const args = anyArgs(keys, streamId) as never;
          // a script over a stream's keys may run gated (the user's event counter joins the call)
          const streamScript = hashTag(script.keysOf(keys, args)[0]!) === `s:${streamId}`;
          for (const gate of streamScript ? [undefined, eventGate(keys, 10, streamId, 'user-1')] : [undefined]) {
            // made-up arguments may make a script fail in Lua (a number that is a name here); what must
            // not happen is Redis refusing the call for its keys, or ioredis giving up on a redirection
            ran++;
            await script.attempt(redis, keys, args, gate).catch((err: Error) => {
              if (REDIRECTION_ERRORS.test(err.message) || isRedisUnavailable(err)) refused.push(`${script.name}: ${err.message}`);
            });
          }
        }
      }
    } finally {
      await redis.quit();
    }
    expect(refused).toEqual([]);
    expect(ran).toBeGreaterThanOrEqual(definedScripts().length * 3);
  });

  it('chat: a message reaches another viewer and the history', async () => {
    const streamId = await t.createStream('Chat', 'brand-a', { start: true });
    const a = await t.joinedViewer(streamId, 'chat-a');
    const b = await t.joinedViewer(streamId, 'chat-b');
    const heard = b.once('chat:message', (m) => m.text === 'hello cluster');
    await a.chat(streamId, 'hello cluster');
    expect((await heard).userId).toBe('chat-a');
    expect(await t.chatTexts(streamId)).toContain('hello cluster');
  });

  it('pushes from the worker reach the server node\'s viewers (relayed over the cluster\'s pub/sub)', async () => {
    const streamId = await t.createStream('Relay', 'brand-a', { start: true });
    const v = await t.joinedViewer(streamId, 'relay-a');
    const heard = v.once('room:stats', (s) => s.streamId === streamId && s.viewers === -7);
    worker.ctx.broadcast.toStream(streamId).emit('room:stats', { streamId, viewers: -7, peak: 0 });
    expect((await heard).viewers).toBe(-7);
  });

  it('qa: ask, upvote, answered', async () => {
    const streamId = await t.createStream('QA', 'brand-a', { start: true });
    const host = await t.streamer('host-brand-a');
    await host.join(streamId);
    const asker = await t.joinedViewer(streamId, 'qa-a');
    const voter = await t.joinedViewer(streamId, 'qa-b');
    const { question } = await asker.ask(streamId, 'Does it come in blue?');
    await voter.upvote(question.id);
    await host.markAnswered(question.id);
  });

  it('quiz: create, answer, close with its result', async () => {
    const streamId = await t.createStream('Quiz', 'brand-a', { start: true });
    const host = await t.streamer('host-brand-a');
    await host.join(streamId);
    const v = await t.joinedViewer(streamId, 'quiz-a');
    const { quiz } = await host.createQuiz(streamId, { question: 'Colour?', options: ['red', 'blue'], correctOption: 1, durationSec: 600 });
    await v.answerQuiz(quiz.id, 1);
    const { result } = await host.closeQuiz(quiz.id);
    expect(result).toMatchObject({ counts: [0, 1], answers: 1, correct: 1 });
  });

  it('polls and the survey: vote, close (its outbox entry), then the survey answered after the end', async () => {
    const streamId = await t.createStream('Poll', 'brand-a', { start: true });
    const host = await t.streamer('host-brand-a');
    await host.join(streamId);
    await host.configureSurvey(streamId, { minWatchMin: 0 });
    const v = await t.joinedViewer(streamId, 'poll-a');
    const { poll } = await host.createPoll(streamId, { question: 'Next?', options: ['hats', 'bags'], points: 5 });
    expect(await v.vote(poll.id, 1)).toEqual({ points: 5 });
    const closed = v.once('poll:closed', (r) => r.pollId === poll.id);
    await host.closePoll(poll.id);
    expect(await closed).toMatchObject({ counts: [0, 1], votes: 1 });
    await host.end(streamId);
    await v.answerSurvey(streamId, 9, 'nice');
    expect(await v.survey(streamId)).toEqual({ survey: null, answered: true });
  });

  it('lottery: create, enter, draw', async () => {
    const streamId = await t.createStream('Lottery', 'brand-a', { start: true });
    const host = await t.streamer('host-brand-a');
    await host.join(streamId);
    const v = await t.joinedViewer(streamId, 'lot-a');
    const { lottery } = await host.createLottery(streamId, { prize: 'Sneakers', winners: 1, durationSec: 600 });
    await v.enterLottery(lottery.id);
    const { result } = await host.drawLottery(lottery.id);
    expect(result.winners).toEqual(['lot-a']);
  });

  it('coupons and orders: a claim (acknowledged by a replica) and the order that redeems its code', async () => {
    const streamId = await t.createStream('Coupons', 'brand-a', { start: true });
    const host = await t.streamer('host-brand-a');
    const { drop } = await host.dropCoupon(streamId, { title: '5 off', discount: { type: 'amount', value: 5 }, quantity: 3, durationSec: 600 });
    const v = await t.joinedViewer(streamId, 'buyer-c');
    const { code } = await v.claimCoupon(drop.id);
    const raw = JSON.stringify({ orderId: 'o-cluster-1', viewerId: 'buyer-c', amount: 20, currency: 'EUR', couponCode: code });
    const res = await t.http('POST', '/api/webhooks/orders', { raw, headers: { 'x-stickyroom-signature': signBody(TEST_WEBHOOK_SECRET, raw) } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ duplicate: false, attribution: { by: 'coupon', streamId }, coupon: 'redeemed' });
  });

  it('coupons: claims arriving together are acknowledged as one group, with one WAIT', async () => {
    const streamId = await t.createStream('Burst', 'brand-a', { start: true });
    const host = await t.streamer('host-brand-a');
    const { drop } = await host.dropCoupon(streamId, { title: 'burst', discount: { type: 'percent', value: 5 }, quantity: 40, durationSec: 600 });
    const viewers = Array.from({ length: 40 }, (_, i) => `burst-${i}`);
    const waits = await cluster.commandCalls('wait');
    const store = couponStore(t.app.ctx);
    const claims = await Promise.all(
      viewers.map((viewerId, i) =>
        store.claim({ streamId, dropId: drop.id, viewerId, opId: `op-${i}`, code: `BURST-${i}`, now: t.clock.now(), stockIntervalMs: 500, refusalReplayMs: 15_000, gate: userGate(t.app.ctx, streamId, viewerId) }),
      ),
    );
    expect(claims.map((c) => c.code)).toEqual(viewers.map((_, i) => `BURST-${i}`));
    expect((await cluster.commandCalls('wait')) - waits).toBe(1);
  });

  it('presence and products: heartbeats count a viewer, a pinned product takes clicks', async () => {
    const streamId = await t.createStream('Products', 'brand-a', { start: true });
    const host = await t.streamer('host-brand-a');
    const v = await t.joinedViewer(streamId, 'pres-a');
    await v.request('presence:heartbeat', { streamId, visible: true });
    await host.pinProduct(streamId, { id: 'sku-1', title: 'Runner 2', price: 89.9, currency: 'EUR', imageUrl: 'https://cdn.example/r2.jpg', url: 'https://shop.example/r2' });
    await v.clickProduct(streamId, 'sku-1');
    const staff = await t.token('streamer', 'host-brand-a', { brandId: 'brand-a' });
    t.clock.advance(30_000);
    const summary = await t.http('GET', `/api/streams/${streamId}/summary`, { token: staff });
    expect(summary.body).toMatchObject({ uniqueViewers: 1 });
  });

  it('a join storm: the joins of one moment in one presence script, their last joins written per slot', async () => {
    const streamId = await t.createStream('Storm', 'brand-a', { start: true });
    const viewerIds = Array.from({ length: 12 }, (_, i) => `storm-${i}`);
    const clients = await Promise.all(viewerIds.map((id) => t.viewer(id)));
    const acks = await Promise.all(clients.map((c) => c.join(streamId)));
    expect(Math.max(...acks.map((a) => a.viewers))).toBe(12);
    for (const id of viewerIds) expect(await productStore(t.app.ctx).lastJoin(id), id).toMatchObject({ streamId, brandId: 'brand-a' });
    expect((await presenceSummary(t.app.ctx.redis, t.app.ctx.keys, streamId)).uniqueViewers).toBe(12);
  });

  it('summary: the worker finalizes an ended stream', async () => {
    const streamId = await t.createStream('Final', 'brand-a', { start: true });
    const v = await t.joinedViewer(streamId, 'fin-a');
    await v.chat(streamId, 'bye');
    t.clock.advance(60_000);
    const staff = await t.token('streamer', 'host-brand-a', { brandId: 'brand-a' });
    const finalized = jobDone(`stream.finalize-${streamId}`);
    await t.http('POST', `/api/streams/${streamId}/end`, { token: staff });
    await finalized;
    const summary = await t.http('GET', `/api/streams/${streamId}/summary`, { token: staff });
    expect(summary.body).toMatchObject({ final: true, uniqueViewers: 1, chatMessages: 1 });
  });

  it('exports, data rights and retention: a streamed export, an admin forget across brands, a retention run', async () => {
    const admin = await t.token('admin', 'root');
    const streams: string[] = [];
    for (const brand of ['brand-a', 'brand-b']) {
      const streamId = await t.createStream('Data', brand, { start: true });
      const v = await t.joinedViewer(streamId, 'data-a');
      await v.chat(streamId, `mine in ${brand}`);
      streams.push(streamId);
    }
    const chat = await t.http('GET', `/api/streams/${streams[0]}/export/chat?format=csv`, { token: admin });
    expect(chat.text).toContain('mine in brand-a');
    const [finalized, rolledUp] = [jobDone(`stream.finalize-${streams[0]}`), jobDone(`rollup.end-${streams[0]}`)];
    await t.http('POST', `/api/streams/${streams[0]}/end`, { token: await t.token('streamer', 'host-brand-a', { brandId: 'brand-a' }) });
    await Promise.all([finalized, rolledUp]);

    const forgot = await t.http('DELETE', '/api/viewers/data-a', { token: admin });
    expect(forgot.status, forgot.text).toBe(200);
    expect(forgot.body.brands).toEqual(expect.arrayContaining(['brand-a', 'brand-b']));
    for (const id of streams) expect((await t.http('GET', `/api/streams/${id}/export/chat`, { token: admin })).text).not.toContain('data-a');

    t.clock.advance(2 * 86_400_000);
    const ctx = { ...t.app.ctx, config: { ...t.app.ctx.config, RETENTION_DAYS: 1 } };
    const run = await applyRetention(ctx);
    expect(run.dropped).toContain(streams[0]);
    expect((await t.http('GET', `/api/streams/${streams[0]}/summary`, { token: admin })).body).toMatchObject({ final: true, uniqueViewers: 1, chatMessages: 1 });
  });

  it('saw no CROSSSLOT, MOVED or ASK reach the application', async () => {
    const stats = await cluster.errorStats();
    expect(stats.CROSSSLOT ?? 0).toBe(0);
    expect([...server.redirections(), ...workerLog.redirections()]).toEqual([]);
    expect([...server.errors(), ...workerLog.errors()]).toEqual([]);
  });
});
