import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StickyroomError, ViewerClient } from '@stickyroom/sdk';
import { viewerActivity } from '../../core/src/activity/activity.store.js';
import { startTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ EVENT_RATE_LIMIT: '1000' });
});
afterAll(async () => {
  await t.close();
});

/** A live stream with `n` joined viewers named `<tag>-0..n-1`. */
async function liveRoom(tag: string, n: number): Promise<{ streamId: string; viewers: ViewerClient[] }> {
  const streamId = await t.createStream(`qa ${tag}`, 'brand-a', { start: true });
  const viewers: ViewerClient[] = [];
  for (let i = 0; i < n; i++) {
    const v = await t.viewer(`${tag}-${i}`);
    await v.join(streamId);
    viewers.push(v);
  }
  return { streamId, viewers };
}

const refusal = (p: Promise<unknown>) => p.then(() => ({ code: 'ok' }) as { code: string; retryAfterMs?: number }, (e: StickyroomError) => e);

describe('asking questions', () => {
  it('shows a new question to the whole room and counts it for the asker', async () => {
    const { streamId, viewers } = await liveRoom('ask', 2);
    const [asker, other] = viewers as [ViewerClient, ViewerClient];
    const seen = other.once('qa:question', (q) => q.streamId === streamId);
    const { question } = await asker.ask(streamId, '  Does it come in  blue? ');
    expect(question).toMatchObject({ streamId, userId: 'ask-0', text: 'Does it come in  blue?', votes: 0, status: 'open', at: t.clock.now() });
    expect(await seen).toEqual(question);
    expect((await viewerActivity(t.app.ctx.redis, t.app.ctx.keys, streamId, 'ask-0')).questions).toBe(1);
  });

  it('allows one open question per viewer, and another once it is answered', async () => {
    const { streamId, viewers } = await liveRoom('one-open', 1);
    const asker = viewers[0]!;
    const host = await t.streamer('one-open-host');
    const { question } = await asker.ask(streamId, 'first?');
    expect(await refusal(asker.ask(streamId, 'second?'))).toMatchObject({ code: 'already_done' });
    await host.markAnswered(question.id);
    const { question: next } = await asker.ask(streamId, 'second?');
    expect(next.status).toBe('open');
  });

  it('refuses a question before the stream is live, from a viewer not in the room, or from staff', async () => {
    const scheduled = await t.createStream('not yet');
    const early = await t.viewer('early');
    await early.join(scheduled);
    expect(await refusal(early.ask(scheduled, 'hello?'))).toMatchObject({ code: 'not_live' });

    const { streamId } = await liveRoom('outsider', 0);
    const outsider = await t.viewer('outsider');
    expect(await refusal(outsider.ask(streamId, 'hello?'))).toMatchObject({ code: 'forbidden' });
    const host = await t.streamer('outsider-host');
    await host.join(streamId);
    expect(await refusal(host.request('qa:ask', { streamId, text: 'me?' }))).toMatchObject({ code: 'forbidden' });
    expect((await outsider.join(streamId)).questions).toEqual([]);
  });

  it('applies chat text rules: blocked words refused, a muted viewer waits', async () => {
    const { streamId, viewers } = await liveRoom('rules', 2);
    const host = await t.streamer('rules-host');
    await host.chatSettings(streamId, { blockedWords: ['scam'] });
    expect(await refusal(viewers[0]!.ask(streamId, 'is this a SCAM?'))).toMatchObject({ code: 'invalid_payload', reason: 'blocked_word' });
    await host.mute(streamId, 'rules-1', 60);
    const muted = await refusal(viewers[1]!.ask(streamId, 'can I ask?'));
    expect(muted).toMatchObject({ code: 'muted' });
    expect(muted.retryAfterMs).toBe(60_000);
    expect((await viewers[0]!.join(streamId)).questions).toEqual([]);
  });

  it('refuses bad payloads without changing anything', async () => {
    const { streamId, viewers } = await liveRoom('bad', 1);
    const v = viewers[0]!;
    const raw = v.socket as unknown as { timeout(ms: number): { emitWithAck(e: string, p: unknown): Promise<{ ok: boolean; error?: { code: string } }> } };
    const bad: [string, unknown][] = [
      ['qa:ask', { streamId, text: '   ' }],
      ['qa:ask', { streamId, text: 'x'.repeat(501) }],
      ['qa:ask', { streamId, text: 'hi', extra: 1 }],
      ['qa:ask', { streamId }],
      ['qa:upvote', { questionId: '' }],
      ['qa:upvote', { questionId: 42 }],
      ['qa:answered', null],
    ];
    for (const [event, payload] of bad) {
      const res = await raw.timeout(2000).emitWithAck(event, payload);
      expect(res.error?.code, `${event} ${JSON.stringify(payload)}`).toMatch(/invalid_payload|forbidden/);
    }
    expect(await refusal(v.upvote('not-a-question'))).toMatchObject({ code: 'invalid_payload' });
    expect(await refusal(v.upvote(`${streamId}.nope`))).toMatchObject({ code: 'not_found' });
    expect((await v.join(streamId)).questions).toEqual([]);
    // The refusals above took no question slot: the viewer can still ask.
    await v.ask(streamId, 'fine now?');
  });
});

describe('upvoting', () => {
  it('counts one vote per viewer, never the asker\'s own, and tells the room', async () => {
    const { streamId, viewers } = await liveRoom('vote', 3);
    const [asker, a, b] = viewers as [ViewerClient, ViewerClient, ViewerClient];
    const { question } = await asker.ask(streamId, 'worth it?');
    const updated = asker.once('qa:updated', (q) => q.id === question.id && q.votes === 2);
    expect(await a.upvote(question.id)).toEqual({ votes: 1 });
    expect(await refusal(a.upvote(question.id))).toMatchObject({ code: 'already_done' });
    expect(await b.upvote(question.id)).toEqual({ votes: 2 });
    expect(await refusal(asker.upvote(question.id))).toMatchObject({ code: 'forbidden', reason: 'own_question' });
    expect((await updated).status).toBe('open');
    expect((await viewerActivity(t.app.ctx.redis, t.app.ctx.keys, streamId, 'vote-1')).upvotes).toBe(1);
  });

  it('gives one vote to a viewer clicking from three tabs at once', async () => {
    const { streamId, viewers } = await liveRoom('tabs', 1);
    const { question } = await viewers[0]!.ask(streamId, 'tabs?');
    const tabs = await Promise.all([1, 2, 3].map(() => t.viewer('tabber')));
    await Promise.all(tabs.map((tab) => tab.join(streamId)));
    const results = await Promise.all(tabs.map((tab) => refusal(tab.upvote(question.id))));
    expect(results.map((r) => r.code).sort()).toEqual(['already_done', 'already_done', 'ok']);
    expect((await tabs[0]!.join(streamId)).questions?.[0]?.votes).toBe(1);
  });

  it('refuses votes on answered questions and from viewers not in the room', async () => {
    const { streamId, viewers } = await liveRoom('vote-closed', 2);
    const host = await t.streamer('vote-closed-host');
    const { question } = await viewers[0]!.ask(streamId, 'closed?');
    const stranger = await t.viewer('stranger');
    expect(await refusal(stranger.upvote(question.id))).toMatchObject({ code: 'forbidden' });
    await host.markAnswered(question.id);
    expect(await refusal(viewers[1]!.upvote(question.id))).toMatchObject({ code: 'closed' });
  });
});

describe('the open list', () => {
  it('orders questions by votes, then oldest first, in the join ack', async () => {
    const { streamId, viewers } = await liveRoom('order', 5);
    const ask = async (i: number, text: string) => {
      t.clock.advance(1000);
      return (await viewers[i]!.ask(streamId, text)).question;
    };
    const q0 = await ask(0, 'zero votes, oldest');
    const q1 = await ask(1, 'two votes');
    const q2 = await ask(2, 'one vote');
    const q3 = await ask(3, 'zero votes, newest');
    await viewers[4]!.upvote(q1.id);
    await viewers[3]!.upvote(q1.id);
    await viewers[4]!.upvote(q2.id);
    const late = await t.viewer('order-late');
    const { questions } = await late.join(streamId);
    expect(questions?.map((q) => [q.text, q.votes])).toEqual([
      ['two votes', 2],
      ['one vote', 1],
      ['zero votes, oldest', 0],
      ['zero votes, newest', 0],
    ]);
    expect(questions?.map((q) => q.id)).toEqual([q1.id, q2.id, q0.id, q3.id]);
  });
});

describe('marking a question answered', () => {
  it('takes it off the open list and tells the room', async () => {
    const { streamId, viewers } = await liveRoom('answered', 2);
    const host = await t.streamer('answered-host', 'brand-a', { role: 'moderator' });
    const { question } = await viewers[0]!.ask(streamId, 'answer me');
    const updated = viewers[1]!.once('qa:updated', (q) => q.id === question.id && q.status === 'answered');
    const res = await host.markAnswered(question.id);
    expect(res.question).toMatchObject({ id: question.id, status: 'answered', answeredAt: t.clock.now() });
    expect((await updated).answeredAt).toBe(t.clock.now());
    expect((await viewers[1]!.join(streamId)).questions).toEqual([]);
    expect(await refusal(host.markAnswered(question.id))).toMatchObject({ code: 'already_done' });
  });

  it('is refused to viewers and to staff of another brand, changing nothing', async () => {
    const { streamId, viewers } = await liveRoom('answer-auth', 2);
    const { question } = await viewers[0]!.ask(streamId, 'mine');
    expect(await refusal(viewers[1]!.request('qa:answered', { questionId: question.id }))).toMatchObject({ code: 'forbidden' });
    const other = await t.streamer('b-host', 'brand-b');
    expect(await refusal(other.markAnswered(question.id, { points: 5 }))).toMatchObject({ code: 'forbidden' });
    const { questions } = await viewers[1]!.join(streamId);
    expect(questions?.map((q) => q.status)).toEqual(['open']);
    const host = await t.streamer('answer-auth-host');
    expect(await refusal(host.markAnswered('unknown.question'))).toMatchObject({ code: 'not_found' });
    expect(await refusal(host.request('qa:answered', { questionId: question.id, reward: {} }))).toMatchObject({ code: 'invalid_payload' });
  });

  it('pays and tells the asker once when two staff mark the question answered at the same moment', async () => {
    const { streamId, viewers } = await liveRoom('double', 1);
    const asker = viewers[0]!;
    const [host, moderator] = await Promise.all([t.streamer('double-host'), t.streamer('double-mod', 'brand-a', { role: 'moderator' })]);
    const { question } = await asker.ask(streamId, 'twice?');
    const pushes: { points?: number }[] = [];
    asker.on('reward:granted', (r) => {
      if (r.sourceId === question.id) pushes.push(r);
    });
    const outcomes = await Promise.all([host, moderator].map((s) => refusal(s.markAnswered(question.id, { points: 7 }))));
    expect(outcomes.map((o) => o.code).sort()).toEqual(['already_done', 'ok']);
    await asker.join(streamId);
    expect(pushes).toEqual([{ streamId, source: 'question', sourceId: question.id, points: 7, announcementId: `question.reward-${question.id}` }]);
    expect((await asker.points('brand-a')).balance).toBe(7);
  });

  it('rewards the asker, privately, with points and a coupon', async () => {
    const { streamId, viewers } = await liveRoom('reward', 2);
    const [asker, other] = viewers as [ViewerClient, ViewerClient];
    const host = await t.streamer('reward-host');
    const { question } = await asker.ask(streamId, 'reward me');
    let leaked = 0;
    other.on('reward:granted', () => leaked++);
    const granted = asker.once('reward:granted', (r) => r.sourceId === question.id);
    await host.markAnswered(question.id, { points: 25, coupon: { title: 'Thanks! 10% off', discount: { type: 'percent', value: 10 } } });
    const reward = await granted;
    expect(reward).toMatchObject({ streamId, source: 'question', sourceId: question.id, points: 25, coupon: { title: 'Thanks! 10% off' } });
    expect(reward.coupon?.code).toMatch(/\S{6,}/);
    expect((await asker.points('brand-a')).balance).toBe(25);
    // A second answer neither pays again nor pushes again.
    expect(await refusal(host.markAnswered(question.id, { points: 25 }))).toMatchObject({ code: 'already_done' });
    await other.join(streamId);
    expect((await asker.points('brand-a')).balance).toBe(25);
    expect(leaked).toBe(0);
  });
});
