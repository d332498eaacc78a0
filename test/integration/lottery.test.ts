import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Job } from 'bullmq';
import { commitmentOf, createStreamerClient, verifyDraw, type LotteryDrawn, type StreamerClient, type ViewerClient } from '@stickyroom/sdk';
import { createApp } from '../../server/src/app.js';
import { createLogger } from '../../core/src/logger.js';
import { viewerActivity } from '../../core/src/activity/activity.store.js';
import { drawLottery, lotteryStore } from '../../core/src/lottery/lottery.service.js';
import { startWorker, type RunningWorker } from '../../worker/src/worker.js';
import { startTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
let worker: RunningWorker;
beforeAll(async () => {
  t = await startTestApp({ EVENT_RATE_LIMIT: '1000' });
  worker = startWorker({ config: t.config, log: createLogger('silent', 'lottery-test-worker'), clock: t.clock });
});
afterAll(async () => {
  await worker.close();
  await t.close();
});

const LONG = 600; // seconds: long enough that no scheduled draw fires unless a test makes it

async function liveRoom(brandId = 'brand-a'): Promise<{ streamId: string; host: StreamerClient }> {
  const streamId = await t.createStream('Giveaway night', brandId, { start: true });
  const host = await t.streamer(`host-${brandId}`, brandId);
  await host.join(streamId);
  return { streamId, host };
}

/** Counts `lottery:drawn` pushes one client receives for a lottery. */
function countDrawn(client: ViewerClient, lotteryId: string): { n: number } {
  const box = { n: 0 };
  client.on('lottery:drawn', (d) => {
    if (d.lotteryId === lotteryId) box.n++;
  });
  return box;
}

let markers = 0;
/**
 * Waits until every push already sent to the room has reached `client`: a marker relayed from the
 * worker (published on the push channel) arrives after any earlier push from the worker (same connection) and after any
 * push a server node emitted before it.
 */
async function drained(client: ViewerClient, streamId: string): Promise<void> {
  const marker = -++markers;
  const seen = client.once('room:stats', (s) => s.streamId === streamId && s.viewers === marker);
  worker.ctx.broadcast.toStream(streamId).emit('room:stats', { streamId, viewers: marker, peak: 0 });
  await seen;
}

async function drawRecord(lotteryId: string) {
  return t.http('GET', `/api/lotteries/${lotteryId}/entrants`, { token: await t.token('viewer', 'auditor') });
}

function completed(jobId: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const onDone = (job: { id?: string }, ret: unknown) => {
      if (job.id !== jobId) return;
      worker.worker.off('completed', onDone);
      resolve(ret);
    };
    const onFailed = (job: { id?: string } | undefined, err: Error) => {
      if (job?.id !== jobId) return;
      worker.worker.off('failed', onFailed);
      reject(err);
    };
    worker.worker.on('completed', onDone);
    worker.worker.on('failed', onFailed);
  });
}

describe('lottery creation', () => {
  it('publishes the commitment at start and reveals a matching seed only at the draw', async () => {
    const { streamId, host } = await liveRoom();
    const viewer = await t.joinedViewer(streamId, 'watcher');
    const seenBeforeDraw: unknown[] = [];
    const record = (_e: string, ...args: unknown[]) => seenBeforeDraw.push(args);
    viewer.socket.onAny(record);

    const started = viewer.once('lottery:started');
    const created = await host.createLottery(streamId, { prize: 'Sneakers', winners: 1, durationSec: LONG });
    const pushed = await started;
    expect(pushed).toMatchObject({ id: created.lottery.id, commitment: created.lottery.commitment, prize: 'Sneakers', status: 'open', entrants: 0 });
    const late = await t.joinedViewer(streamId, 'late-joiner');
    const joinAck = await late.join(streamId);
    expect(joinAck.lottery).toMatchObject({ id: created.lottery.id, commitment: created.lottery.commitment, entered: false });
    const entered = await viewer.enterLottery(created.lottery.id);
    const tooEarly = await drawRecord(created.lottery.id);
    expect(tooEarly.status).toBe(409);
    seenBeforeDraw.push(created, pushed, joinAck, entered, tooEarly.body);

    viewer.socket.offAny(record);
    const { result } = await host.drawLottery(created.lottery.id);
    expect(result.seed).toMatch(/^[0-9a-f]{64}$/);
    expect(await commitmentOf(result.seed)).toBe(created.lottery.commitment);
    expect(JSON.stringify(seenBeforeDraw)).not.toContain(result.seed);
  });

  it('refuses lottery:create and lottery:draw to viewers, to other brands and on a stream that is not live', async () => {
    const { streamId, host } = await liveRoom();
    const viewer = await t.joinedViewer(streamId, 'not-staff');
    await expect(viewer.request('lottery:create', { streamId, prize: 'x', winners: 1, durationSec: 10 })).rejects.toMatchObject({ code: 'forbidden' });
    const { lottery } = await host.createLottery(streamId, { prize: 'Hat', winners: 1, durationSec: LONG });
    await expect(viewer.request('lottery:draw', { lotteryId: lottery.id })).rejects.toMatchObject({ code: 'forbidden' });
    const otherBrand = await t.streamer('host-b', 'brand-b');
    await expect(otherBrand.drawLottery(lottery.id)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(otherBrand.createLottery(streamId, { prize: 'x', winners: 1, durationSec: 10 })).rejects.toMatchObject({ code: 'forbidden' });
    const scheduled = await t.createStream('Later', 'brand-a');
    await expect(host.createLottery(scheduled, { prize: 'x', winners: 1, durationSec: 10 })).rejects.toMatchObject({ code: 'not_live' });
    expect((await lotteryStore(t.app.ctx).get(streamId, lottery.id))?.status).toBe('open');
  });

  it('keeps one open lottery per stream: a second create is refused until the first is drawn', async () => {
    const { streamId, host } = await liveRoom();
    const { lottery } = await host.createLottery(streamId, { prize: 'First', winners: 1, durationSec: LONG });
    await expect(host.createLottery(streamId, { prize: 'Second', winners: 1, durationSec: LONG })).rejects.toMatchObject({ code: 'conflict' });
    await host.drawLottery(lottery.id);
    await expect(host.createLottery(streamId, { prize: 'Second', winners: 1, durationSec: LONG })).resolves.toBeTruthy();
  });

  it('refuses a malformed lottery id as invalid and an unknown one with not_found', async () => {
    const { streamId, host } = await liveRoom();
    const viewer = await t.joinedViewer(streamId, 'lost');
    await expect(viewer.enterLottery('no-dot-here')).rejects.toMatchObject({ code: 'invalid_payload' });
    await expect(viewer.enterLottery(`${streamId}.nope`)).rejects.toMatchObject({ code: 'not_found' });
    await expect(host.drawLottery(`abc.${streamId}`)).rejects.toMatchObject({ code: 'not_found' });
    expect((await drawRecord(`abc.${streamId}`)).status).toBe(404);
  });
});

describe('lottery entry', () => {
  it('takes one entry per viewer: a second one, from another tab too, is already_done', async () => {
    const { streamId, host } = await liveRoom();
    const { lottery } = await host.createLottery(streamId, { prize: 'Mug', winners: 1, durationSec: LONG });
    const tab1 = await t.joinedViewer(streamId, 'twice');
    const tab2 = await t.joinedViewer(streamId, 'twice');
    const otherTabHears = tab2.once('lottery:entered', (e) => e.lotteryId === lottery.id);
    const results = await Promise.allSettled([tab1.enterLottery(lottery.id), tab2.enterLottery(lottery.id), tab1.enterLottery(lottery.id)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'already_done' });
    expect((await otherTabHears).via).toBe('button');
    expect((await tab1.join(streamId)).lottery).toMatchObject({ entrants: 1, entered: true });
    expect((await viewerActivity(t.app.ctx.redis, t.app.ctx.keys, streamId, 'twice')).lotteryEntries).toBe(1);
  });

  it('refuses an entry from a viewer who did not join the stream, and entries from staff', async () => {
    const { streamId, host } = await liveRoom();
    const { lottery } = await host.createLottery(streamId, { prize: 'Pin', winners: 1, durationSec: LONG });
    const outsider = await t.viewer('outsider');
    await expect(outsider.enterLottery(lottery.id)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(host.request('lottery:enter', { lotteryId: lottery.id })).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('refuses a viewer who has not watched long enough (min_watch), then admits them after a minute of heartbeats', async () => {
    const { streamId, host } = await liveRoom();
    const { lottery } = await host.createLottery(streamId, { prize: 'Cap', winners: 1, durationSec: LONG, minWatchSec: 60 });
    const viewer = await t.joinedViewer(streamId, 'newcomer');
    await expect(viewer.enterLottery(lottery.id)).rejects.toMatchObject({ code: 'not_eligible', reason: 'min_watch' });
    await viewer.heartbeat(streamId);
    for (let i = 0; i < 3; i++) {
      t.clock.advance(15_000);
      await viewer.heartbeat(streamId);
    }
    await expect(viewer.enterLottery(lottery.id)).rejects.toMatchObject({ code: 'not_eligible', reason: 'min_watch' });
    t.clock.advance(15_000);
    await viewer.heartbeat(streamId);
    await expect(viewer.enterLottery(lottery.id)).resolves.toBeTruthy();
  });

  it('refuses a viewer who has not chatted when the lottery requires it (no_chat), then admits them', async () => {
    const { streamId, host } = await liveRoom();
    const { lottery } = await host.createLottery(streamId, { prize: 'Bag', winners: 1, durationSec: LONG, requireChat: true });
    const viewer = await t.joinedViewer(streamId, 'lurker');
    await expect(viewer.enterLottery(lottery.id)).rejects.toMatchObject({ code: 'not_eligible', reason: 'no_chat' });
    await viewer.chat(streamId, 'hello everyone');
    await expect(viewer.enterLottery(lottery.id)).resolves.toBeTruthy();
  });

  it('refuses a viewer who won a prize of the brand within the window (recent_winner), and admits them after it', async () => {
    const first = await liveRoom('brand-w');
    const lucky = await t.joinedViewer(first.streamId, 'lucky');
    const { lottery: won } = await first.host.createLottery(first.streamId, { prize: 'TV', winners: 1, durationSec: LONG });
    await lucky.enterLottery(won.id);
    expect((await first.host.drawLottery(won.id)).result.winners).toEqual(['lucky']);

    const second = await liveRoom('brand-w');
    await lucky.join(second.streamId);
    const rules = { prize: 'Phone', winners: 1, durationSec: LONG, excludeRecentWinnersDays: 30 };
    const { lottery } = await second.host.createLottery(second.streamId, rules);
    await expect(lucky.enterLottery(lottery.id)).rejects.toMatchObject({ code: 'not_eligible', reason: 'recent_winner' });
    const other = await t.joinedViewer(second.streamId, 'unlucky');
    await expect(other.enterLottery(lottery.id)).resolves.toBeTruthy();
    await second.host.drawLottery(lottery.id);

    t.clock.advance(31 * 24 * 3600 * 1000);
    const { lottery: later } = await second.host.createLottery(second.streamId, rules);
    await expect(lucky.enterLottery(later.id)).resolves.toBeTruthy();
  });

  it('closes entries at endsAt even before the draw', async () => {
    const { streamId, host } = await liveRoom();
    const { lottery } = await host.createLottery(streamId, { prize: 'Pen', winners: 1, durationSec: LONG });
    const viewer = await t.joinedViewer(streamId, 'slowpoke');
    t.clock.advance(LONG * 1000);
    await expect(viewer.enterLottery(lottery.id)).rejects.toMatchObject({ code: 'closed' });
  });

  it('enters a viewer who sends the keyword in chat (any case), silently refuses an ineligible one, and refuses the button', async () => {
    const { streamId, host } = await liveRoom();
    const { lottery } = await host.createLottery(streamId, { prize: 'Jacket', winners: 2, durationSec: LONG, keyword: 'Giveaway', minWatchSec: 15 });
    const fan = await t.joinedViewer(streamId, 'keyword-fan');
    const chatty = await t.joinedViewer(streamId, 'keyword-chatty');
    const early = await t.joinedViewer(streamId, 'keyword-early');
    for (let beat = 0; beat < 2; beat++) {
      if (beat > 0) t.clock.advance(15_000);
      await Promise.all([fan.heartbeat(streamId), chatty.heartbeat(streamId)]);
    }

    await expect(fan.enterLottery(lottery.id)).rejects.toMatchObject({ code: 'not_eligible', reason: 'keyword_only' });
    const confirmed = fan.once('lottery:entered', (e) => e.lotteryId === lottery.id);
    await fan.chat(streamId, '  gIVEaway ');
    expect(await confirmed).toMatchObject({ via: 'chat', streamId });
    // Not watched long enough: the chat message is accepted, the entry is not, and nothing says so.
    await expect(early.chat(streamId, 'GIVEAWAY')).resolves.toMatchObject({ message: { text: 'GIVEAWAY' } });
    await chatty.chat(streamId, 'is the giveaway open?'); // mentions the keyword, is not it: no entry

    const { result } = await host.drawLottery(lottery.id);
    expect(result.entrants).toBe(1);
    expect(result.winners).toEqual(['keyword-fan']);
  });
});

describe('lottery entry under load', () => {
  it('counts 200 viewers entering at once (each from two tabs) exactly once each, and the draw verifies', async () => {
    const { streamId, host } = await liveRoom();
    const { lottery } = await host.createLottery(streamId, { prize: 'Crowd prize', winners: 3, durationSec: LONG });
    const subs = Array.from({ length: 200 }, (_, i) => `crowd-${String(i).padStart(3, '0')}`);
    const tabs = await Promise.all(subs.flatMap((s) => [t.joinedViewer(streamId, s), t.joinedViewer(streamId, s)]));
    const started = performance.now();
    const outcomes = await Promise.allSettled(tabs.map((v) => v.enterLottery(lottery.id)));
    const ms = performance.now() - started;
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(200);
    for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toMatchObject({ code: 'already_done' });
    process.stdout.write(`lottery: 400 entry requests from 200 viewers in ${ms.toFixed(0)} ms (${Math.round(400 / (ms / 1000))}/s)\n`);

    const { result } = await host.drawLottery(lottery.id);
    expect(result.entrants).toBe(200);
    const record = (await drawRecord(lottery.id)).body;
    expect(record.entrants).toEqual(subs);
    const check = await verifyDraw({ commitment: lottery.commitment, seed: result.seed, winnerCount: 3, winners: result.winners, entrantsHash: result.entrantsHash, entries: record.entries });
    expect(check.valid).toBe(true);
    for (const v of tabs) v.close();
  });
});

describe('the draw', () => {
  it('announces winners that verifyDraw confirms from the published list, and tells each winner privately', async () => {
    const { streamId, host } = await liveRoom();
    const { lottery } = await host.createLottery(streamId, { prize: 'Headphones', winners: 2, durationSec: LONG });
    const subs = ['ann', 'ben', 'cat', 'dan', 'eve'];
    const viewers = await Promise.all(subs.map((s) => t.joinedViewer(streamId, s)));
    const nonces = await Promise.all(viewers.map((v) => v.enterLottery(lottery.id)));
    const rewards = viewers.map((v, i) => ({ sub: subs[i]!, got: [] as string[] }));
    viewers.forEach((v, i) => v.on('reward:granted', (r) => rewards[i]!.got.push(r.prize ?? '')));
    const drawn = viewers[0]!.once('lottery:drawn', (d) => d.lotteryId === lottery.id);

    const { result } = await host.drawLottery(lottery.id);
    const announced = await drawn;
    // the push is the stored result, with the id of its announcement (the same on a repeated delivery)
    expect(announced).toEqual({ ...result, announcementId: `lottery.drawn-${lottery.id}` });
    expect(result).toMatchObject({ entrants: 5, winnerCount: 2 });
    expect(result.winners).toHaveLength(2);
    await drained(viewers[0]!, streamId);
    for (const v of viewers.slice(1)) await drained(v, streamId);
    for (const r of rewards) expect(r.got).toEqual(result.winners.includes(r.sub) ? ['Headphones'] : []);

    const res = await drawRecord(lottery.id);
    expect(res.status).toBe(200);
    expect(res.body.entrants).toEqual([...subs].sort());
    const ann = res.body.entries.find((e: { id: string }) => e.id === 'ann');
    expect(ann.nonce).toBe(nonces[0]!.nonce);
    const input = { commitment: lottery.commitment, seed: announced.seed, winnerCount: 2, winners: announced.winners, entrantsHash: announced.entrantsHash, entries: res.body.entries };
    expect((await verifyDraw(input)).valid).toBe(true);
    expect((await verifyDraw({ ...input, entries: [...res.body.entries, { id: 'sockpuppet' }] })).valid).toBe(false);
    expect((await verifyDraw({ ...input, seed: announced.seed.replace(/.$/, (c) => (c === '0' ? '1' : '0')) })).valid).toBe(false);

    for (const w of result.winners) expect((await viewerActivity(t.app.ctx.redis, t.app.ctx.keys, streamId, w)).lotteryWins).toBe(1);
    const late = await t.joinedViewer(streamId, 'after-the-fact');
    expect((await late.join(streamId)).lottery).toMatchObject({ status: 'drawn', result: { winners: result.winners } });
  });

  it('lets every entrant win when there are fewer entrants than prizes', async () => {
    const { streamId, host } = await liveRoom();
    const { lottery } = await host.createLottery(streamId, { prize: 'Socks', winners: 5, durationSec: LONG });
    for (const s of ['few-1', 'few-2']) await (await t.joinedViewer(streamId, s)).enterLottery(lottery.id);
    const { result } = await host.drawLottery(lottery.id);
    expect([...result.winners].sort()).toEqual(['few-1', 'few-2']);
  });

  it('draws once when two streamers send lottery:draw at the same moment', async () => {
    const { streamId, host } = await liveRoom();
    const cohost = await t.streamer('cohost', 'brand-a', { role: 'moderator' });
    const watcher = await t.joinedViewer(streamId, 'race-watch');
    const { lottery } = await host.createLottery(streamId, { prize: 'Watch', winners: 1, durationSec: LONG });
    for (const s of ['r1', 'r2', 'r3']) await (await t.joinedViewer(streamId, s)).enterLottery(lottery.id);
    const drawn = countDrawn(watcher, lottery.id);
    const [a, b] = await Promise.all([host.drawLottery(lottery.id), cohost.drawLottery(lottery.id)]);
    expect(a.result).toEqual(b.result);
    await drained(watcher, streamId);
    expect(drawn.n).toBe(1);
    expect((await host.drawLottery(lottery.id)).result).toEqual(a.result);
    await drained(watcher, streamId);
    expect(drawn.n).toBe(1);
  });

  it('draws once when the streamer races the scheduled close in the worker, round after round', async () => {
    const { streamId, host } = await liveRoom();
    const watcher = await t.joinedViewer(streamId, 'race-worker-watch');
    const entrants = await Promise.all(['w1', 'w2', 'w3', 'w4'].map((s) => t.joinedViewer(streamId, s)));
    for (let round = 0; round < 5; round++) {
      const { lottery } = await host.createLottery(streamId, { prize: `Round ${round}`, winners: 2, durationSec: LONG });
      for (const v of entrants) await v.enterLottery(lottery.id);
      const drawn = countDrawn(watcher, lottery.id);
      const jobId = `lottery.draw-${lottery.id}`;
      const job = await Job.fromId(t.app.ctx.jobs.queue, jobId);
      expect(job).toBeTruthy();
      const jobDone = completed(jobId);
      const [manual] = await Promise.all([host.drawLottery(lottery.id), job!.promote()]);
      const jobResult = (await jobDone) as { winners: number; announced: boolean };
      expect(jobResult.winners).toBe(2);
      await drained(watcher, streamId);
      expect(drawn.n).toBe(1);
      const stored = await lotteryStore(t.app.ctx).get(streamId, lottery.id);
      expect(stored?.result).toEqual(manual.result);
    }
  });

  it('draws once when streamers on two server nodes and the worker all draw at once', async () => {
    const second = createApp({ config: t.config, clock: t.clock, log: createLogger('silent', 'lottery-node-2') });
    const port = await second.listen(0, '127.0.0.1');
    try {
      const { streamId, host } = await liveRoom();
      const token = await t.token('moderator', 'mod-on-node-2', { brandId: 'brand-a' });
      const remote = await createStreamerClient({ url: `http://127.0.0.1:${port}`, token, transports: ['websocket'] }).connect();
      const watcher = await t.joinedViewer(streamId, 'two-nodes-watch');
      const { lottery } = await host.createLottery(streamId, { prize: 'Across nodes', winners: 1, durationSec: LONG });
      for (const s of ['n1', 'n2', 'n3']) await (await t.joinedViewer(streamId, s)).enterLottery(lottery.id);
      const drawn = countDrawn(watcher, lottery.id);
      const jobId = `lottery.draw-${lottery.id}`;
      const job = await Job.fromId(t.app.ctx.jobs.queue, jobId);
      const jobDone = completed(jobId);
      const [a, b] = await Promise.all([host.drawLottery(lottery.id), remote.drawLottery(lottery.id), job!.promote()]);
      await jobDone;
      remote.close();
      expect(a.result).toEqual(b.result);
      await drained(watcher, streamId);
      expect(drawn.n).toBe(1);
    } finally {
      await second.close();
    }
  });

  it('draws on time through the scheduled job when nobody draws by hand', async () => {
    const { streamId, host } = await liveRoom();
    const watcher = await t.joinedViewer(streamId, 'on-time');
    const drawn = watcher.once('lottery:drawn', () => true, 15_000);
    const { lottery } = await host.createLottery(streamId, { prize: 'Quick one', winners: 1, durationSec: 1 });
    await watcher.enterLottery(lottery.id);
    const result: LotteryDrawn = await drawn;
    expect(result).toMatchObject({ lotteryId: lottery.id, winners: ['on-time'], entrants: 1 });
  });

  it('draws the open lottery when the stream ends', async () => {
    const { streamId, host } = await liveRoom();
    const watcher = await t.joinedViewer(streamId, 'to-the-end');
    const { lottery } = await host.createLottery(streamId, { prize: 'Finale', winners: 1, durationSec: LONG });
    await watcher.enterLottery(lottery.id);
    const drawn = watcher.once('lottery:drawn', (d) => d.lotteryId === lottery.id);
    await host.end(streamId);
    expect((await drawn).winners).toEqual(['to-the-end']);
  });

  it('completes a draw that stopped after freezing the list (a crash) on the next attempt', async () => {
    const { streamId, host } = await liveRoom();
    const watcher = await t.joinedViewer(streamId, 'crash-watch');
    const { lottery } = await host.createLottery(streamId, { prize: 'Retry', winners: 1, durationSec: LONG });
    await watcher.enterLottery(lottery.id);
    await lotteryStore(t.app.ctx).close(streamId, lottery.id, t.clock.now()); // frozen, never settled
    const late = await t.joinedViewer(streamId, 'crash-late');
    await expect(late.enterLottery(lottery.id)).rejects.toMatchObject({ code: 'closed' });
    const drawn = countDrawn(watcher, lottery.id);
    const again = await drawLottery(worker.ctx, streamId, lottery.id);
    expect(again).toMatchObject({ announced: true, result: { winners: ['crash-watch'] } });
    await drained(watcher, streamId);
    expect(drawn.n).toBe(1);
  });
});
