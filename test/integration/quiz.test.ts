import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StickyroomError, StreamerClient, ViewerClient } from '@stickyroom/sdk';
import type { QuizResult, RequestInput } from '@stickyroom/sdk/protocol';
import { viewerActivity } from '../../core/src/activity/activity.store.js';
import { RewardDeliveryBusy } from '../../core/src/quiz/quiz.close.js';
import { quizStore } from '../../core/src/quiz/quiz.store.js';
import { createLogger } from '../../core/src/logger.js';
import { quizCloseProcessor } from '../../worker/src/processors/quiz-close.js';
import { startWorker, type RunningWorker } from '../../worker/src/worker.js';
import { startTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
let worker: RunningWorker;
beforeAll(async () => {
  t = await startTestApp({ EVENT_RATE_LIMIT: '1000' });
  worker = startWorker({ config: t.config, log: createLogger('silent', 'test-worker'), clock: t.clock });
});
afterAll(async () => {
  await worker.close();
  await t.close();
});

const refusal = (p: Promise<unknown>) => p.then(() => ({ code: 'ok' }) as { code: string }, (e: StickyroomError) => e);

type QuizInput = Omit<RequestInput<'quiz:create'>, 'streamId'>;
const colours: QuizInput = {
  question: 'Which colour sold out first?',
  options: ['red', 'green', 'blue'],
  correctOption: 2,
  durationSec: 600,
};

/** A live stream, its host, and `n` joined viewers named `<tag>-0..n-1`. */
async function liveRoom(tag: string, n: number): Promise<{ streamId: string; host: StreamerClient; viewers: ViewerClient[] }> {
  const streamId = await t.createStream(`quiz ${tag}`, 'brand-a', { start: true });
  const host = await t.streamer(`${tag}-host`);
  const viewers: ViewerClient[] = [];
  for (let i = 0; i < n; i++) {
    const v = await t.viewer(`${tag}-${i}`);
    await v.join(streamId);
    viewers.push(v);
  }
  return { streamId, host, viewers };
}

/** Resolves when the scheduled close job of `quizId` has finished in the in-process worker. */
function jobFinished(quizId: string): Promise<void> {
  return new Promise((resolve) => {
    const onDone = (job: { id?: string | undefined }) => {
      if (job.id !== `quiz.close-${quizId}`) return;
      worker.worker.off('completed', onDone);
      resolve();
    };
    worker.worker.on('completed', onDone);
  });
}

/** Counts `quiz:result` pushes of one quiz a client receives. */
function countResults(client: ViewerClient, quizId: string): { readonly n: number } {
  const box = { n: 0 };
  client.on('quiz:result', (r) => {
    if (r.quizId === quizId) box.n++;
  });
  return box;
}

describe('a quiz while it is open', () => {
  it('reaches the room and late joiners without its correct option', async () => {
    const { streamId, host, viewers } = await liveRoom('secret', 1);
    const started = viewers[0]!.once('quiz:started', (q) => q.streamId === streamId);
    const { quiz } = await host.createQuiz(streamId, colours);
    expect(quiz).toEqual({ id: expect.stringContaining(streamId), endsAt: t.clock.now() + 600_000 });
    const pushed = await started;
    expect(pushed).toEqual({ id: quiz.id, streamId, question: colours.question, options: colours.options, endsAt: quiz.endsAt, reward: {} });
    const late = await t.viewer('secret-late');
    const joined = await late.join(streamId);
    expect(joined.quiz).toEqual(pushed);
    for (const seen of [pushed, joined.quiz, joined]) expect(JSON.stringify(seen)).not.toMatch(/correct/i);
  });

  it('takes one final answer per viewer', async () => {
    const { streamId, host, viewers } = await liveRoom('final', 1);
    const { quiz } = await host.createQuiz(streamId, colours);
    expect(await viewers[0]!.answerQuiz(quiz.id, 0)).toEqual({});
    expect(await refusal(viewers[0]!.answerQuiz(quiz.id, 2))).toMatchObject({ code: 'already_done' });
    const { result } = await host.closeQuiz(quiz.id);
    expect(result).toMatchObject({ counts: [1, 0, 0], answers: 1, correct: 0 });
    expect((await viewerActivity(t.app.ctx.redis, t.app.ctx.keys, streamId, 'final-0')).quizAnswers).toBe(1);
  });

  it('counts one answer from a viewer answering from three tabs at once', async () => {
    const { streamId, host } = await liveRoom('tabs', 0);
    const tabs = await Promise.all([0, 1, 2].map(() => t.viewer('tabs-viewer')));
    await Promise.all(tabs.map((tab) => tab.join(streamId)));
    const { quiz } = await host.createQuiz(streamId, colours);
    const codes = await Promise.all(tabs.map((tab, i) => refusal(tab.answerQuiz(quiz.id, i))));
    expect(codes.map((c) => c.code).sort()).toEqual(['already_done', 'already_done', 'ok']);
    expect((await host.closeQuiz(quiz.id)).result.answers).toBe(1);
  });

  it('refuses options the quiz does not have and viewers not in the room, changing nothing', async () => {
    const { streamId, host, viewers } = await liveRoom('options', 1);
    const { quiz } = await host.createQuiz(streamId, { ...colours, options: ['yes', 'no'], correctOption: 0 });
    expect(await refusal(viewers[0]!.answerQuiz(quiz.id, 2))).toMatchObject({ code: 'invalid_payload' });
    expect(await refusal(viewers[0]!.answerQuiz(quiz.id, 6))).toMatchObject({ code: 'invalid_payload' });
    expect(await refusal(viewers[0]!.answerQuiz(quiz.id, -1))).toMatchObject({ code: 'invalid_payload' });
    const outsider = await t.viewer('options-outsider');
    expect(await refusal(outsider.answerQuiz(quiz.id, 0))).toMatchObject({ code: 'forbidden' });
    expect(await refusal(viewers[0]!.answerQuiz(`${streamId}.missing`, 0))).toMatchObject({ code: 'not_found' });
    expect(await refusal(viewers[0]!.answerQuiz('no-such-quiz', 0))).toMatchObject({ code: 'invalid_payload' });
    // None of the refusals used up the viewer's answer.
    expect(await viewers[0]!.answerQuiz(quiz.id, 1)).toEqual({});
  });

  it('refuses answers once its time is up, even before the close has run', async () => {
    const { streamId, host, viewers } = await liveRoom('late', 1);
    const { quiz } = await host.createQuiz(streamId, colours);
    t.clock.advance(600_000);
    expect(await refusal(viewers[0]!.answerQuiz(quiz.id, 2))).toMatchObject({ code: 'closed' });
    expect((await viewers[0]!.join(streamId)).quiz).toBeUndefined();
  });

  it('is one at a time per stream: a second quiz waits until the first closes', async () => {
    const { streamId, host } = await liveRoom('one', 0);
    const { quiz } = await host.createQuiz(streamId, colours);
    expect(await refusal(host.createQuiz(streamId, colours))).toMatchObject({ code: 'conflict' });
    await host.closeQuiz(quiz.id);
    const { quiz: next } = await host.createQuiz(streamId, colours);
    expect(next.id).not.toBe(quiz.id);
  });

  it('replaces an open quiz whose time ran out while its close was late', async () => {
    const { streamId, host, viewers } = await liveRoom('stale', 1);
    const { quiz } = await host.createQuiz(streamId, colours);
    const stale = viewers[0]!.once('quiz:result', (r) => r.quizId === quiz.id);
    t.clock.advance(600_000);
    const { quiz: next } = await host.createQuiz(streamId, colours);
    expect((await stale).answers).toBe(0);
    expect((await viewers[0]!.join(streamId)).quiz?.id).toBe(next.id);
  });
});

describe('who may run quizzes', () => {
  it('refuses quiz:create and quiz:close to viewers and to staff of another brand', async () => {
    const { streamId, host, viewers } = await liveRoom('auth', 1);
    const v = viewers[0]!;
    expect(await refusal(v.request('quiz:create', { streamId, ...colours } as RequestInput<'quiz:create'>))).toMatchObject({ code: 'forbidden' });
    const other = await t.streamer('auth-other', 'brand-b');
    expect(await refusal(other.createQuiz(streamId, colours))).toMatchObject({ code: 'forbidden' });
    expect((await v.join(streamId)).quiz).toBeUndefined();

    const { quiz } = await host.createQuiz(streamId, colours);
    expect(await refusal(v.request('quiz:close', { quizId: quiz.id }))).toMatchObject({ code: 'forbidden' });
    expect(await refusal(other.closeQuiz(quiz.id))).toMatchObject({ code: 'forbidden' });
    expect(await refusal(host.request('quiz:answer', { quizId: quiz.id, option: 2 }))).toMatchObject({ code: 'forbidden' });
    expect(await v.answerQuiz(quiz.id, 2)).toEqual({});
  });

  it('lets a moderator of the brand run one', async () => {
    const { streamId, viewers } = await liveRoom('mod', 1);
    const moderator = await t.streamer('mod-mod', 'brand-a', { role: 'moderator' });
    const { quiz } = await moderator.createQuiz(streamId, colours);
    await viewers[0]!.answerQuiz(quiz.id, 2);
    expect((await moderator.closeQuiz(quiz.id)).result).toMatchObject({ correct: 1, correctOption: 2 });
  });

  it('refuses bad quizzes and quizzes on streams that are not live, creating nothing', async () => {
    const { streamId, host, viewers } = await liveRoom('badquiz', 1);
    const bad: QuizInput[] = [
      { ...colours, options: ['only one'], correctOption: 0 },
      { ...colours, options: ['1', '2', '3', '4', '5', '6', '7'] },
      { ...colours, correctOption: 3 },
      { ...colours, durationSec: 0 },
      { ...colours, question: '   ' },
      { ...colours, reward: { couponFirstN: 3 } },
      { ...colours, reward: { points: -5 } },
    ];
    for (const quiz of bad) expect(await refusal(host.createQuiz(streamId, quiz)), JSON.stringify(quiz)).toMatchObject({ code: 'invalid_payload' });
    expect((await viewers[0]!.join(streamId)).quiz).toBeUndefined();
    const scheduled = await t.createStream('later');
    expect(await refusal(host.createQuiz(scheduled, colours))).toMatchObject({ code: 'not_live' });
    expect(await refusal(host.closeQuiz(`${streamId}.nope`))).toMatchObject({ code: 'not_found' });
  });
});

describe('closing a quiz', () => {
  it('closes on time through the scheduled job and tells the room the outcome', async () => {
    const { streamId, host, viewers } = await liveRoom('ontime', 4);
    const { quiz } = await host.createQuiz(streamId, { ...colours, durationSec: 1 });
    await viewers[0]!.answerQuiz(quiz.id, 2);
    await viewers[1]!.answerQuiz(quiz.id, 0);
    await viewers[2]!.answerQuiz(quiz.id, 2);
    const result = await viewers[3]!.once('quiz:result', (r) => r.quizId === quiz.id, 15_000);
    expect(result).toEqual<QuizResult & { announcementId?: string }>({
      announcementId: `quiz.result-${quiz.id}`,
      quizId: quiz.id,
      streamId,
      question: colours.question,
      options: colours.options,
      correctOption: 2,
      counts: [1, 0, 2],
      answers: 3,
      correct: 2,
      closedAt: t.clock.now(),
      rewarded: [],
      rewardedTotal: 0,
    });
    expect(await refusal(viewers[3]!.answerQuiz(quiz.id, 2))).toMatchObject({ code: 'closed' });
    expect((await viewers[3]!.join(streamId)).quiz).toBeUndefined();
    const activity = await viewerActivity(t.app.ctx.redis, t.app.ctx.keys, streamId, 'ontime-0');
    expect(activity).toMatchObject({ quizAnswers: 1, quizCorrect: 1 });
    expect((await viewerActivity(t.app.ctx.redis, t.app.ctx.keys, streamId, 'ontime-1')).quizCorrect).toBeUndefined();
  });

  it('publishes one result when the streamer\'s close, another run of the job and the timer race', async () => {
    const { streamId, host, viewers } = await liveRoom('race', 2);
    const { quiz } = await host.createQuiz(streamId, { ...colours, durationSec: 1, reward: { points: 10 } });
    await viewers[0]!.answerQuiz(quiz.id, 2);
    const results = countResults(viewers[1]!, quiz.id);
    const rewards = { n: 0 };
    viewers[0]!.on('reward:granted', (r) => {
      if (r.sourceId === quiz.id) rewards.n++;
    });
    const timer = jobFinished(quiz.id);
    // The streamer's close, a second worker's run of the same job and the real timer, all at once.
    const [byHost, byJob] = await Promise.all([
      host.closeQuiz(quiz.id),
      quizCloseProcessor(worker.ctx, { type: 'quiz.close', quizId: quiz.id, streamId }).then(
        (done) => done,
        (err: Error) => err,
      ),
      viewers[0]!.once('reward:granted', (r) => r.sourceId === quiz.id),
    ]);
    // That run either finished the close or found another caller delivering and failed, to be retried.
    if (byJob instanceof Error) expect(byJob).toBeInstanceOf(RewardDeliveryBusy);
    else expect(byJob).toEqual({ answers: 1, correct: 1 });
    expect(await quizCloseProcessor(worker.ctx, { type: 'quiz.close', quizId: quiz.id, streamId })).toEqual({ answers: 1, correct: 1 });
    await timer;
    // Once more after everything ran: the same result, nothing pushed again.
    expect((await host.closeQuiz(quiz.id)).result).toEqual(byHost.result);
    await viewers[1]!.join(streamId);
    expect(results.n).toBe(1);
    expect(rewards.n).toBe(1);
    expect((await viewers[0]!.points('brand-a')).balance).toBe(10);
  });

  it('publishes one result when two staff close it at the same moment', async () => {
    const { streamId, host, viewers } = await liveRoom('twoclose', 1);
    const moderator = await t.streamer('twoclose-mod', 'brand-a', { role: 'moderator' });
    const { quiz } = await host.createQuiz(streamId, colours);
    await viewers[0]!.answerQuiz(quiz.id, 1);
    const results = countResults(viewers[0]!, quiz.id);
    const first = viewers[0]!.once('quiz:result', (r) => r.quizId === quiz.id);
    const [a, b] = await Promise.all([host.closeQuiz(quiz.id), moderator.closeQuiz(quiz.id)]);
    expect(a.result).toEqual(b.result);
    expect(await first).toEqual({ ...a.result, announcementId: `quiz.result-${quiz.id}` });
    await viewers[0]!.join(streamId);
    expect(results.n).toBe(1);
  });

  it('closes the open quiz when the stream ends', async () => {
    const { streamId, host, viewers } = await liveRoom('end', 1);
    const { quiz } = await host.createQuiz(streamId, colours);
    await viewers[0]!.answerQuiz(quiz.id, 2);
    const result = viewers[0]!.once('quiz:result', (r) => r.quizId === quiz.id);
    await host.end(streamId);
    expect(await result).toMatchObject({ correct: 1, correctOption: 2 });
    expect(await refusal(viewers[0]!.answerQuiz(quiz.id, 2))).toMatchObject({ code: 'closed' });
  });
});

describe('quiz rewards', () => {
  it('gives points to every correct answer and a coupon to the first K correct, in the order answers arrived', async () => {
    const { streamId, host, viewers } = await liveRoom('firstk', 5);
    const { quiz } = await host.createQuiz(streamId, {
      ...colours,
      reward: { points: 20, couponFirstN: 2, coupon: { title: 'Quiz winner: 15% off', discount: { type: 'percent', value: 15 } } },
    });
    expect((await viewers[4]!.join(streamId)).quiz?.reward).toEqual({
      points: 20,
      couponFirstN: 2,
      coupon: { title: 'Quiz winner: 15% off', discount: { type: 'percent', value: 15 } },
    });
    const rewards = new Map<string, { points?: number; coupon?: { code: string; title: string } }>();
    viewers.forEach((v, i) =>
      v.on('reward:granted', (r) => {
        if (r.sourceId === quiz.id) rewards.set(`firstk-${i}`, r);
      }),
    );
    // Receive order: 3 (right), 1 (wrong), 0 (right), 2 (right); 4 does not answer.
    for (const [i, option] of [[3, 2], [1, 0], [0, 2], [2, 2]] as const) await viewers[i]!.answerQuiz(quiz.id, option);
    const { result } = await host.closeQuiz(quiz.id);
    expect(result.rewarded).toEqual([
      { userId: 'firstk-3', points: 20, coupon: true },
      { userId: 'firstk-0', points: 20, coupon: true },
      { userId: 'firstk-2', points: 20 },
    ]);
    expect(result).toMatchObject({ answers: 4, correct: 3, rewardedTotal: 3 });
    // Private pushes were sent before the close was acked; one round trip per viewer drains them.
    await Promise.all(viewers.map((v) => v.join(streamId)));
    expect([...rewards.keys()].sort()).toEqual(['firstk-0', 'firstk-2', 'firstk-3']);
    expect(rewards.get('firstk-3')).toMatchObject({ points: 20, coupon: { title: 'Quiz winner: 15% off' } });
    expect(rewards.get('firstk-0')).toMatchObject({ points: 20, coupon: { title: 'Quiz winner: 15% off' } });
    expect(rewards.get('firstk-2')).toEqual({ streamId, source: 'quiz', sourceId: quiz.id, points: 20, announcementId: `quiz.result-${quiz.id}.firstk-2` });
    expect(rewards.get('firstk-3')!.coupon!.code).not.toBe(rewards.get('firstk-0')!.coupon!.code);
    expect((await viewers[2]!.points('brand-a')).balance).toBe(20);
    expect((await viewers[1]!.points('brand-a')).balance).toBe(0);
  });

  it('rewards coupon winners only, when the quiz offers no points', async () => {
    const { streamId, host, viewers } = await liveRoom('coupononly', 3);
    const { quiz } = await host.createQuiz(streamId, {
      ...colours,
      reward: { couponFirstN: 1, coupon: { title: '5 off', discount: { type: 'amount', value: 5 } } },
    });
    const won = viewers[1]!.once('reward:granted', (r) => r.sourceId === quiz.id);
    await viewers[1]!.answerQuiz(quiz.id, 2);
    await viewers[0]!.answerQuiz(quiz.id, 2);
    const { result } = await host.closeQuiz(quiz.id);
    expect(result.rewarded).toEqual([{ userId: 'coupononly-1', coupon: true }]);
    expect(result.rewardedTotal).toBe(1);
    expect((await won).coupon?.title).toBe('5 off');
  });
});

describe('a quiz result a viewer was away for', () => {
  const fast = { reconnect: { minDelayMs: 10, maxDelayMs: 20 } };
  type Told = QuizResult & { announcementId?: string };
  function told(client: ViewerClient): Told[] {
    const got: Told[] = [];
    client.on('quiz:result', (r) => void got.push(r));
    return got;
  }
  /** Drops the connection under the SDK, which reconnects by itself and joins its streams again. */
  async function reconnect(client: ViewerClient): Promise<void> {
    const rejoined = new Promise((resolve) => client.on('rejoined', resolve));
    (client.socket.io as unknown as { engine: { close(): void } }).engine.close();
    await rejoined;
  }

  it('is told once after the rejoin when the push went out while the viewer was disconnected, and never again', async () => {
    const { streamId, host, viewers } = await liveRoom('away', 1);
    const away = await t.joinedViewer(streamId, 'away-gone', fast);
    const got = told(away);
    const { quiz } = await host.createQuiz(streamId, colours);
    await viewers[0]!.answerQuiz(quiz.id, 2);
    // Away for real: the SDK neither reconnects nor rejoins until the socket connects again.
    away.socket.disconnect();
    const live = viewers[0]!.once('quiz:result', (r) => r.quizId === quiz.id);
    const { result } = await host.closeQuiz(quiz.id);
    await live;
    expect(got).toEqual([]);
    const rejoined = new Promise<{ quizResult?: QuizResult }>((resolve) => away.on('rejoined', resolve));
    away.socket.connect();
    expect((await rejoined).quizResult).toEqual(result);
    expect(got).toEqual([{ ...result, announcementId: `quiz.result-${quiz.id}` }]);
    await reconnect(away);
    expect(got).toHaveLength(1);
  });

  it('is not told again on a rejoin when the push reached the viewer live', async () => {
    const { streamId, host, viewers } = await liveRoom('present', 1);
    const watcher = await t.joinedViewer(streamId, 'present-watch', fast);
    const got = told(watcher);
    const { quiz } = await host.createQuiz(streamId, colours);
    await viewers[0]!.answerQuiz(quiz.id, 1);
    const live = watcher.once('quiz:result', (r) => r.quizId === quiz.id);
    await host.closeQuiz(quiz.id);
    await live;
    await reconnect(watcher);
    await reconnect(watcher);
    expect(got.map((r) => r.announcementId)).toEqual([`quiz.result-${quiz.id}`]);
  });

  it('is in the ack of a first join, which tells no push; a later quiz\'s result takes its place', async () => {
    const { streamId, host } = await liveRoom('latejoin', 0);
    const first = await host.createQuiz(streamId, colours);
    const { result } = await host.closeQuiz(first.quiz.id);
    const late = await t.viewer('latejoin-late', fast);
    const got = told(late);
    const joined = await late.join(streamId);
    expect(joined.quizResult).toEqual(result);
    expect(joined.quiz).toBeUndefined();
    await reconnect(late);
    expect(got).toEqual([]);
    // While the next quiz is open the ack carries both; once it closes, its result is the one replayed.
    const second = await host.createQuiz(streamId, { ...colours, correctOption: 0 });
    const during = await (await t.viewer('latejoin-during')).join(streamId);
    expect(during.quiz?.id).toBe(second.quiz.id);
    expect(during.quizResult?.quizId).toBe(first.quiz.id);
    const next = await host.closeQuiz(second.quiz.id);
    await expect.poll(() => got.map((r) => r.quizId)).toEqual([second.quiz.id]);
    await reconnect(late);
    expect((await late.join(streamId)).quizResult).toEqual(next.result);
    expect(got.map((r) => r.quizId)).toEqual([second.quiz.id]);
  });

  it('stays the one of the quiz closed last when an older quiz\'s result is published late (a delivery the sweep finished)', async () => {
    const streamId = await t.createStream('quiz late publish', 'brand-a', { start: true });
    const store = quizStore(t.app.ctx);
    const base: QuizResult = { quizId: '', streamId, question: 'q', options: ['a', 'b'], correctOption: 0, counts: [0, 0], answers: 0, correct: 0, closedAt: 0, rewarded: [], rewardedTotal: 0 };
    const newer = { ...base, quizId: `${streamId}.newer`, closedAt: 2_000 };
    const older = { ...base, quizId: `${streamId}.older`, closedAt: 1_000 };
    expect(await store.publishResult(streamId, newer.quizId, newer)).toEqual(newer);
    expect(await store.publishResult(streamId, older.quizId, older)).toEqual(older);
    // a repeat delivery answers what was stored first, not what it built
    expect(await store.publishResult(streamId, older.quizId, { ...older, answers: 9 })).toEqual(older);
    expect((await store.joinView(streamId, t.clock.now())).lastResult).toEqual(newer);
  });
});
