import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StickyroomError, StreamerClient, ViewerClient } from '@stickyroom/sdk';
import type { PollResults, RequestInput } from '@stickyroom/sdk/protocol';
import { pollStore } from '../../core/src/polls/polls.store.js';
import { outboxStore, sweepOutboxes } from '../../core/src/outbox/outbox.service.js';
import { readMoments } from '../../core/src/activity/activity.store.js';
import { createLogger } from '../../core/src/logger.js';
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

type PollInput = Omit<RequestInput<'poll:create'>, 'streamId'>;
const sizes: PollInput = { question: 'Which size should we restock?', options: ['S', 'M', 'L'] };

async function liveRoom(tag: string, n: number): Promise<{ streamId: string; host: StreamerClient; viewers: ViewerClient[] }> {
  const streamId = await t.createStream(`poll ${tag}`, 'brand-a', { start: true });
  const host = await t.streamer(`${tag}-host`);
  await host.join(streamId);
  const viewers = await Promise.all(Array.from({ length: n }, (_, i) => t.joinedViewer(streamId, `${tag}-${i}`)));
  return { streamId, host, viewers };
}

describe('a live poll', () => {
  it('starts in the room, counts concurrent votes from many viewers exactly, and closes with the final counts', async () => {
    const { streamId, host, viewers } = await liveRoom('many', 40);
    const started = viewers[0]!.once('poll:started', (p) => p.streamId === streamId);
    const { poll } = await host.createPoll(streamId, sizes);
    expect(poll).toEqual({ id: expect.stringContaining(streamId) });
    expect(await started).toEqual({ id: poll.id, streamId, question: sizes.question, options: sizes.options });

    const acks = await Promise.all(viewers.map((v, i) => v.vote(poll.id, i % 3)));
    expect(acks.every((a) => JSON.stringify(a) === '{}')).toBe(true);
    const closed = viewers[5]!.once('poll:closed', (r) => r.pollId === poll.id);
    const { result } = await host.closePoll(poll.id);
    expect(result).toMatchObject({ pollId: poll.id, streamId, question: sizes.question, options: sizes.options, counts: [14, 13, 13], votes: 40 });
    expect(await closed).toMatchObject({ counts: [14, 13, 13], votes: 40, closedAt: t.clock.now() });
    expect(await refusal(viewers[0]!.vote(poll.id, 1))).toMatchObject({ code: 'closed' });
    // closing again answers the same counts
    expect((await host.closePoll(poll.id)).result).toEqual(result);
    // a poll moment on the stream's timeline
    const moments = await readMoments(t.app.ctx.redis, t.app.ctx.keys, streamId);
    expect(moments).toContainEqual(expect.objectContaining({ kind: 'poll', id: poll.id, label: sizes.question }));
  });

  it('takes one final vote per viewer, across tabs', async () => {
    const { streamId, host, viewers } = await liveRoom('once', 1);
    const { poll } = await host.createPoll(streamId, sizes);
    await viewers[0]!.vote(poll.id, 0);
    expect(await refusal(viewers[0]!.vote(poll.id, 2))).toMatchObject({ code: 'already_done' });
    const tabs = await Promise.all([0, 1, 2].map(() => t.joinedViewer(streamId, 'once-tabs')));
    const codes = await Promise.all(tabs.map((tab, i) => refusal(tab.vote(poll.id, i))));
    expect(codes.map((c) => c.code).sort()).toEqual(['already_done', 'already_done', 'ok']);
    expect((await host.closePoll(poll.id)).result.votes).toBe(2);
  });

  it('pushes the running counts to the room at most twice a second, the latest counts last', async () => {
    const { streamId, host, viewers } = await liveRoom('rate', 30);
    const watcher = await t.joinedViewer(streamId, 'rate-watcher');
    const { poll } = await host.createPoll(streamId, sizes);
    const seen: { at: number; r: PollResults }[] = [];
    watcher.on('poll:results', (r) => {
      if (r.pollId === poll.id) seen.push({ at: Date.now(), r });
    });
    const complete = watcher.once('poll:results', (r) => r.pollId === poll.id && r.votes === 40);
    const began = Date.now();
    // 40 votes in three waves over about a second
    await Promise.all(viewers.slice(0, 10).map((v) => v.vote(poll.id, 0)));
    await Promise.all(viewers.slice(10, 20).map((v) => v.vote(poll.id, 1)));
    await Promise.all(viewers.slice(20).map((v) => v.vote(poll.id, 2)));
    const extra = await Promise.all(Array.from({ length: 10 }, (_, i) => t.joinedViewer(streamId, `rate-extra-${i}`)));
    await Promise.all(extra.map((v) => v.vote(poll.id, 2)));
    expect(await complete).toMatchObject({ counts: [10, 10, 20], votes: 40 });
    const elapsed = Date.now() - began;
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.length).toBeLessThanOrEqual(Math.ceil(elapsed / 500) + 1);
    // one node: pushes start 500 ms apart, so any three consecutive ones span about a second (slack for the
    // read before each push and for delivery jitter)
    for (let i = 2; i < seen.length; i++) expect(seen[i]!.at - seen[i - 2]!.at).toBeGreaterThanOrEqual(800);
    expect(seen.length).toBeLessThan(40);
  });

  it('is in the room:join ack with its counts while open, and gone once closed', async () => {
    const { streamId, host, viewers } = await liveRoom('join', 2);
    const { poll } = await host.createPoll(streamId, { ...sizes, durationSec: 60 });
    expect(poll.endsAt).toBe(t.clock.now() + 60_000);
    await viewers[0]!.vote(poll.id, 1);
    const late = await t.viewer('join-late');
    const joined = await late.join(streamId);
    expect(joined.poll).toEqual({
      id: poll.id,
      streamId,
      question: sizes.question,
      options: sizes.options,
      endsAt: poll.endsAt,
      results: { pollId: poll.id, streamId, counts: [0, 1, 0], votes: 1 },
    });
    await host.closePoll(poll.id);
    expect((await late.join(streamId)).poll).toBeUndefined();
  });

  it('closes on its timer through the worker, pushing poll:closed', async () => {
    const { streamId, host, viewers } = await liveRoom('timer', 1);
    const { poll } = await host.createPoll(streamId, { ...sizes, durationSec: 1 });
    await viewers[0]!.vote(poll.id, 2);
    const closed = viewers[0]!.once('poll:closed', (r) => r.pollId === poll.id);
    expect(await closed).toMatchObject({ counts: [0, 0, 1], votes: 1 });
    expect(await refusal(viewers[0]!.vote(poll.id, 1))).toMatchObject({ code: 'closed' });
  });

  it('announces a close whose node died before pushing: the outbox sweep pushes poll:closed', async () => {
    const { streamId, host, viewers } = await liveRoom('crash', 1);
    const { poll } = await host.createPoll(streamId, sizes);
    await viewers[0]!.vote(poll.id, 1);
    const closed = viewers[0]!.once('poll:closed', (r) => r.pollId === poll.id);
    // the close script alone, as a node that died right after it would leave it
    await outboxStore(t.app.ctx).listStream(streamId, t.clock.now());
    expect((await pollStore(t.app.ctx).close(streamId, poll.id, t.clock.now(), 'streamer')).changed).toBe(true);
    expect(await refusal(viewers[0]!.vote(poll.id, 0))).toMatchObject({ code: 'closed' });
    await sweepOutboxes(t.app.ctx);
    expect(await closed).toMatchObject({ counts: [0, 1, 0], votes: 1, announcementId: `poll.closed.${poll.id}` });
  });

  it('is closed by the stream\'s end', async () => {
    const { streamId, host, viewers } = await liveRoom('end', 1);
    const { poll } = await host.createPoll(streamId, sizes);
    await viewers[0]!.vote(poll.id, 0);
    const closed = viewers[0]!.once('poll:closed', (r) => r.pollId === poll.id);
    await host.end(streamId);
    expect(await closed).toMatchObject({ counts: [1, 0, 0], votes: 1 });
  });

  it('grants the points for taking part once per viewer', async () => {
    const { streamId, host, viewers } = await liveRoom('points', 2);
    const { poll } = await host.createPoll(streamId, { ...sizes, points: 15 });
    const before = (await viewers[0]!.points('brand-a')).balance;
    expect(await viewers[0]!.vote(poll.id, 1)).toEqual({ points: 15 });
    expect(await refusal(viewers[0]!.vote(poll.id, 1))).toMatchObject({ code: 'already_done' });
    expect((await viewers[0]!.points('brand-a')).balance).toBe(before + 15);
    expect((await viewers[1]!.points('brand-a')).balance).toBe(before);
  });

  it('is one at a time per stream, and staff-only to create and close', async () => {
    const { streamId, host, viewers } = await liveRoom('one', 1);
    const { poll } = await host.createPoll(streamId, sizes);
    expect(await refusal(host.createPoll(streamId, sizes))).toMatchObject({ code: 'conflict' });
    expect(await refusal(viewers[0]!.request('poll:close', { pollId: poll.id }))).toMatchObject({ code: 'forbidden' });
    expect(await refusal(viewers[0]!.request('poll:create', { streamId, ...sizes }))).toMatchObject({ code: 'forbidden' });
    const other = await t.streamer('one-other', 'brand-b');
    expect(await refusal(other.closePoll(poll.id))).toMatchObject({ code: 'forbidden' });
  });

  it('refuses invalid payloads and changes nothing', async () => {
    const { streamId, host, viewers } = await liveRoom('invalid', 1);
    for (const bad of [
      { question: 'one option', options: ['only'] },
      { question: 'seven', options: ['1', '2', '3', '4', '5', '6', '7'] },
      { question: '   ', options: ['a', 'b'] },
      { question: 'blank option', options: ['a', '\u200b'] },
      { ...sizes, durationSec: 0 },
      { ...sizes, points: -5 },
      { ...sizes, extra: true },
    ]) {
      expect(await refusal(host.request('poll:create', { streamId, ...bad } as RequestInput<'poll:create'>)), JSON.stringify(bad)).toMatchObject({ code: 'invalid_payload' });
    }
    expect(await pollStore(t.app.ctx).openPollId(streamId)).toBeNull();
    const { poll } = await host.createPoll(streamId, { ...sizes, options: ['yes', 'no'] });
    for (const option of [2, 6, -1, 0.5]) expect(await refusal(viewers[0]!.vote(poll.id, option))).toMatchObject({ code: 'invalid_payload' });
    expect(await refusal(viewers[0]!.request('poll:vote', { pollId: poll.id } as RequestInput<'poll:vote'>))).toMatchObject({ code: 'invalid_payload' });
    expect(await refusal(viewers[0]!.vote(`${streamId}.missing`, 0))).toMatchObject({ code: 'not_found' });
    const outsider = await t.viewer('invalid-outsider');
    expect(await refusal(outsider.vote(poll.id, 0))).toMatchObject({ code: 'forbidden' });
    expect(await pollStore(t.app.ctx).results(streamId, poll.id, ['yes', 'no'])).toMatchObject({ counts: [0, 0], votes: 0 });
    // none of the refusals used up the viewer's vote
    expect(await viewers[0]!.vote(poll.id, 1)).toEqual({});
  });
});
