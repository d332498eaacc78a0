import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ViewerClient } from '@stickyroom/sdk';
import { startTestApp, type TestApp } from '../helpers/app.js';

// Bounded: 200 viewers on one in-process server, sized for a shared 2-core machine.
const VIEWERS = 200;
const COUPONS = 50;

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});

describe('a quiz with a full room', () => {
  it('takes every answer once, rewards each correct viewer once and the first K with coupons', async () => {
    const streamId = await t.createStream('quiz load', 'brand-a', { start: true });
    const host = await t.streamer('load-host');
    const viewers: ViewerClient[] = [];
    for (let i = 0; i < VIEWERS; i += 20) {
      const batch = await Promise.all(Array.from({ length: Math.min(20, VIEWERS - i) }, (_, j) => t.viewer(`load-${i + j}`)));
      await Promise.all(batch.map((v) => v.join(streamId)));
      viewers.push(...batch);
    }
    const { quiz } = await host.createQuiz(streamId, {
      question: 'Load?',
      options: ['a', 'b', 'c', 'd'],
      correctOption: 1,
      durationSec: 600,
      reward: { points: 5, couponFirstN: COUPONS, coupon: { title: 'Fast fingers', discount: { type: 'percent', value: 5 } } },
    });
    const rewards = new Map<string, { points?: number; coupon?: { code: string } }[]>();
    viewers.forEach((v, i) =>
      v.on('reward:granted', (r) => {
        if (r.sourceId !== quiz.id) return;
        const id = `load-${i}`;
        rewards.set(id, [...(rewards.get(id) ?? []), r]);
      }),
    );

    // Every viewer answers at once; three in four pick the correct option.
    const answersStarted = performance.now();
    await Promise.all(viewers.map((v, i) => v.answerQuiz(quiz.id, i % 4 === 0 ? 0 : 1)));
    const answerMs = performance.now() - answersStarted;

    const closeStarted = performance.now();
    const { result } = await host.closeQuiz(quiz.id);
    const closeMs = performance.now() - closeStarted;
    await Promise.all(viewers.map((v) => v.join(streamId)));

    const correct = VIEWERS - VIEWERS / 4;
    expect(result).toMatchObject({ answers: VIEWERS, correct, counts: [VIEWERS / 4, correct, 0, 0], rewardedTotal: correct });
    expect(rewards.size).toBe(correct);
    for (const pushes of rewards.values()) expect(pushes).toHaveLength(1);
    const codes = [...rewards.values()].flatMap((p) => (p[0]!.coupon ? [p[0]!.coupon.code] : []));
    expect(codes).toHaveLength(COUPONS);
    expect(new Set(codes).size).toBe(COUPONS);
    // The coupon winners are exactly the first COUPONS names of the result's answer-ordered list.
    const winners = result.rewarded.filter((r) => r.coupon).map((r) => r.userId);
    expect(winners).toEqual(result.rewarded.slice(0, COUPONS).map((r) => r.userId));
    expect(new Set(winners)).toEqual(new Set([...rewards.entries()].filter(([, p]) => p[0]!.coupon).map(([id]) => id)));

    console.info(`quiz load: ${VIEWERS} answers in ${answerMs.toFixed(0)} ms; close with ${correct} rewards (${COUPONS} coupons) acked in ${closeMs.toFixed(0)} ms`);
  }, 60_000);
});
