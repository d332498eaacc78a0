import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deriveWinners, type StreamerClient, type ViewerClient } from '@stickyroom/sdk';
import { QUIZ_RESULT_LISTED } from '@stickyroom/sdk/protocol';
import type { AppContext } from '../../core/src/context.js';
import { viewerActivity } from '../../core/src/activity/activity.store.js';
import { lotteryStore } from '../../core/src/lottery/lottery.service.js';
import { deliverEntry, outboxEntryId, outboxStore, sweepOutboxes } from '../../core/src/outbox/outbox.service.js';
import { outboxKeys } from '../../core/src/outbox/outbox.keys.js';
import { quizStore } from '../../core/src/quiz/quiz.store.js';
import { qaStore } from '../../core/src/qa/qa.service.js';
import { streamStore } from '../../core/src/streams/streams.service.js';
import { jobId } from '../../core/src/jobs/queues.js';
import type { RunningWorker } from '../../worker/src/worker.js';
import type { TestApp } from '../helpers/app.js';
import { startTwoNodesAndWorker, type TwoNodes } from '../helpers/two-nodes.js';

let nodes: TwoNodes;
let a: TestApp;
let b: TestApp;
let worker: RunningWorker;

beforeAll(async () => {
  nodes = await startTwoNodesAndWorker();
  ({ a, b, worker } = nodes);
});

afterAll(() => nodes.close());

const LONG = 600;

async function liveRoom(): Promise<{ streamId: string; host: StreamerClient }> {
  const streamId = await a.createStream('Outbox', 'brand-a', { start: true });
  const host = await a.streamer('host-brand-a', 'brand-a');
  await host.join(streamId);
  return { streamId, host };
}

/** What a request that crashed right after its commit leaves: the lottery drawn and stored, nothing pushed. */
async function drawWithoutAnnouncing(ctx: AppContext, streamId: string, lotteryId: string): Promise<string> {
  const store = lotteryStore(ctx);
  const now = ctx.clock.now();
  const l = (await store.close(streamId, lotteryId, now))!;
  const entries = await store.entries(streamId, lotteryId);
  const { winners, entrantsHash } = await deriveWinners(l.seed, entries, l.winners);
  const entry = { kind: 'lottery.drawn', lotteryId } as const;
  await outboxStore(ctx).listStream(streamId, now);
  const result = { lotteryId, streamId, winners, winnerCount: l.winners, seed: l.seed, commitment: l.commitment, entrants: entries.length, entrantsHash, drawnAt: now };
  expect((await store.settle(streamId, lotteryId, result, now, outboxEntryId(entry), entry)).stored).toBe(true);
  return outboxEntryId(entry);
}

/** Counts what the app sees through the SDK and what the socket itself received, per event. */
function counter(v: ViewerClient, event: 'lottery:drawn' | 'reward:granted' | 'quiz:result', match: (p: any) => boolean) {
  const box = { sdk: 0, wire: 0 };
  v.on(event, (p: unknown) => void (match(p) && box.sdk++));
  v.socket.on(event as never, ((p: unknown) => void (match(p) && box.wire++)) as never);
  return box;
}

describe('announcements that cannot be lost', () => {
  it('a lottery drawn by a request that died before announcing it reaches every viewer on every node once, through the sweep', async () => {
    const { streamId, host } = await liveRoom();
    const onA = await a.joinedViewer(streamId, 'ob-a');
    const onB = await b.joinedViewer(streamId, 'ob-b');
    const { lottery } = await host.createLottery(streamId, { prize: 'A lamp', winners: 2, durationSec: LONG });
    await onA.enterLottery(lottery.id);
    await onB.enterLottery(lottery.id);
    const drawnA = counter(onA, 'lottery:drawn', (d) => d.lotteryId === lottery.id);
    const drawnB = counter(onB, 'lottery:drawn', (d) => d.lotteryId === lottery.id);
    const prizeA = counter(onA, 'reward:granted', (r) => r.sourceId === lottery.id);
    const prizeB = counter(onB, 'reward:granted', (r) => r.sourceId === lottery.id);

    const entryId = await drawWithoutAnnouncing(a.app.ctx, streamId, lottery.id);
    expect(await a.app.ctx.redis.hexists(outboxKeys(a.app.ctx.keys, streamId).entries, entryId)).toBe(1);
    // the worker's scheduled sweep finds the entry and delivers it
    await expect.poll(() => [drawnA.sdk, drawnB.sdk, prizeA.sdk, prizeB.sdk], { timeout: 20_000 }).toEqual([1, 1, 1, 1]);
    await expect.poll(() => a.app.ctx.redis.hexists(outboxKeys(a.app.ctx.keys, streamId).entries, entryId)).toBe(0);
    for (const w of ['ob-a', 'ob-b']) expect((await viewerActivity(a.app.ctx.redis, a.app.ctx.keys, streamId, w)).lotteryWins).toBe(1);
    expect(await lotteryStore(a.app.ctx).lastWin('brand-a', 'ob-a')).not.toBeNull();
  });

  it('delivering the same announcement twice shows it once in the SDK and counts the wins once', async () => {
    const { streamId, host } = await liveRoom();
    const viewer = await b.joinedViewer(streamId, 'twice-1');
    const { lottery } = await host.createLottery(streamId, { prize: 'A kettle', winners: 1, durationSec: LONG });
    await viewer.enterLottery(lottery.id);
    const drawn = counter(viewer, 'lottery:drawn', (d) => d.lotteryId === lottery.id);
    const prize = counter(viewer, 'reward:granted', (r) => r.sourceId === lottery.id);

    const entryId = await drawWithoutAnnouncing(a.app.ctx, streamId, lottery.id);
    const key = outboxKeys(a.app.ctx.keys, streamId).entries;
    // a deliverer that pushed, then died before marking the entry done: the entry is delivered again
    const raw = (await a.app.ctx.redis.hget(key, entryId))!;
    expect(await deliverEntry(worker.ctx, streamId, entryId)).toBe('delivered');
    await a.app.ctx.redis.hset(key, entryId, JSON.stringify({ ...JSON.parse(raw), counted: true }));
    expect(await deliverEntry(worker.ctx, streamId, entryId)).toBe('delivered');
    expect(await deliverEntry(worker.ctx, streamId, entryId)).toBe('done');

    await expect.poll(() => [drawn.wire, prize.wire]).toEqual([2, 2]);
    expect([drawn.sdk, prize.sdk]).toEqual([1, 1]);
    expect((await viewerActivity(a.app.ctx.redis, a.app.ctx.keys, streamId, 'twice-1')).lotteryWins).toBe(1);
  });

  it('a quiz closed by a request that died before announcing it: one result, points credited once however often delivery runs', async () => {
    const { streamId, host } = await liveRoom();
    const viewers = await Promise.all(['qz-0', 'qz-1'].map((s, i) => (i === 0 ? a : b).joinedViewer(streamId, s)));
    const { quiz } = await host.createQuiz(streamId, { question: 'Best seller?', options: ['mug', 'lamp'], correctOption: 1, durationSec: LONG, reward: { points: 30 } });
    await viewers[0]!.answerQuiz(quiz.id, 1);
    await viewers[1]!.answerQuiz(quiz.id, 0);
    const results = viewers.map((v) => counter(v, 'quiz:result', (r) => r.quizId === quiz.id));
    const rewards = counter(viewers[0]!, 'reward:granted', (r) => r.sourceId === quiz.id);

    // the close committed (with its outbox entry), then the node died: nothing was pushed
    await outboxStore(a.app.ctx).listStream(streamId, a.clock.now());
    expect((await quizStore(a.app.ctx).close(streamId, quiz.id, a.clock.now(), 'streamer', QUIZ_RESULT_LISTED)).changed).toBe(true);
    const entryId = outboxEntryId({ kind: 'quiz.result', quizId: quiz.id });
    const key = outboxKeys(a.app.ctx.keys, streamId).entries;
    const raw = (await a.app.ctx.redis.hget(key, entryId))!;

    await Promise.all([sweepOutboxes(worker.ctx), sweepOutboxes(a.app.ctx), deliverEntry(b.app.ctx, streamId, entryId)]);
    // and once more, as if a deliverer died after its pushes
    await a.app.ctx.redis.hset(key, entryId, raw);
    await sweepOutboxes(worker.ctx);

    await expect.poll(() => results.map((r) => r.sdk)).toEqual([1, 1]);
    await expect.poll(() => rewards.sdk).toBe(1);
    expect((await viewers[0]!.points('brand-a')).balance).toBe(30);
    expect((await viewers[1]!.points('brand-a')).balance).toBe(0);
    expect(await a.app.ctx.redis.hlen(key)).toBe(0);
  });

  it('a stream end whose request died before its hooks ran still draws the open lottery and queues the finalize job', async () => {
    const { streamId, host } = await liveRoom();
    const viewer = await b.joinedViewer(streamId, 'end-1');
    const { lottery } = await host.createLottery(streamId, { prize: 'A scarf', winners: 1, durationSec: LONG });
    await viewer.enterLottery(lottery.id);
    const drawn = counter(viewer, 'lottery:drawn', (d) => d.lotteryId === lottery.id);

    await outboxStore(a.app.ctx).listStream(streamId, a.clock.now());
    expect((await streamStore(a.app.ctx).transition(streamId, 'ended', a.clock.now())).changed).toBe(true);
    await sweepOutboxes(a.app.ctx);

    await expect.poll(() => drawn.sdk).toBe(1);
    expect((await lotteryStore(a.app.ctx).get(streamId, lottery.id))!.status).toBe('drawn');
    expect(await worker.ctx.jobs.queue.getJob(jobId({ type: 'stream.finalize', streamId }))).toBeDefined();
    expect(await a.app.ctx.redis.hlen(outboxKeys(a.app.ctx.keys, streamId).entries)).toBe(0);
  });

  it("a question's reward whose request died after marking it answered is credited once and told once, however often delivery runs", async () => {
    const { streamId } = await liveRoom();
    const asker = await b.joinedViewer(streamId, 'asker-1');
    const { question } = await asker.ask(streamId, 'Does it come in blue?');
    const told = counter(asker, 'reward:granted', (r) => r.sourceId === question.id);

    await outboxStore(a.app.ctx).listStream(streamId, a.clock.now());
    expect((await qaStore(a.app.ctx).markAnswered(streamId, question.id, 'host-brand-a', a.clock.now(), { points: 12 })).changed).toBe(true);
    const entryId = outboxEntryId({ kind: 'question.reward', questionId: question.id });
    const key = outboxKeys(a.app.ctx.keys, streamId).entries;
    const raw = (await a.app.ctx.redis.hget(key, entryId))!;
    await sweepOutboxes(worker.ctx);
    await a.app.ctx.redis.hset(key, entryId, raw);
    await sweepOutboxes(a.app.ctx);

    await expect.poll(() => told.sdk).toBe(1);
    expect((await asker.points('brand-a')).balance).toBe(12);
    expect(await a.app.ctx.redis.hlen(key)).toBe(0);
  });
});
