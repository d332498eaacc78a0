import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PushName, PushPayload } from '@stickyroom/sdk/protocol';
import type { StickyroomClient } from '@stickyroom/sdk';
import { startTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ EVENT_RATE_LIMIT: '1000' });
});
afterAll(async () => {
  await t.close();
});

function collect<E extends PushName>(client: StickyroomClient, event: E): PushPayload<E>[] {
  const got: PushPayload<E>[] = [];
  client.on(event, ((p: PushPayload<E>) => got.push(p)) as never);
  return got;
}

describe("live counts for the stream's staff only", () => {
  it('pushes answers per option and entrant counts to the staff, never to viewers or another brand', async () => {
    const streamId = await t.createStream('staff counts', 'brand-a', { start: true });
    const host = await t.streamer('sc-host');
    await host.join(streamId);
    const outsider = await t.streamer('sc-other', 'brand-b');
    await outsider.join(streamId);
    const viewers = [];
    for (let i = 0; i < 3; i++) viewers.push(await t.joinedViewer(streamId, `sc-v${i}`));
    const hostAnswers = collect(host, 'quiz:answers');
    const hostEntrants = collect(host, 'lottery:entrants');
    const leaks = [...viewers, outsider].map((c) => [collect(c, 'quiz:answers'), collect(c, 'lottery:entrants')]);

    const { quiz } = await host.createQuiz(streamId, { question: 'Which?', options: ['a', 'b', 'c'], correctOption: 1, durationSec: 600 });
    await viewers[0]!.answerQuiz(quiz.id, 1);
    await viewers[1]!.answerQuiz(quiz.id, 2);
    await viewers[2]!.answerQuiz(quiz.id, 1);
    // the first answer pushes at once, the others arrive as one trailing push with the latest counts
    await expect.poll(() => hostAnswers.at(-1)).toEqual({ quizId: quiz.id, streamId, counts: [0, 2, 1], answers: 3 });
    expect(hostAnswers.length).toBeLessThanOrEqual(2);

    const { lottery } = await host.createLottery(streamId, { prize: 'mug', winners: 1, durationSec: 600 });
    for (const v of viewers) await v.enterLottery(lottery.id);
    await expect.poll(() => hostEntrants.at(-1)?.entrants).toBe(3);

    await host.closeQuiz(quiz.id);
    await host.drawLottery(lottery.id);
    // what went to the staff is long there; nothing of it reached anyone else
    for (const [answers, entrants] of leaks) {
      expect(answers).toEqual([]);
      expect(entrants).toEqual([]);
    }
  });
});
