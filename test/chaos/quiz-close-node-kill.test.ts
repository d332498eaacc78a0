import { describe, expect, it } from 'vitest';
import type { StreamerClient } from '@stickyroom/sdk';
import type { QuizResult } from '@stickyroom/sdk/protocol';
import { Keys } from '../../core/src/redis/keys.js';
import { quizKeys } from '../../core/src/quiz/quiz.keys.js';
import { outboxKeys } from '../../core/src/outbox/outbox.keys.js';
import { NodeKillRig, type SplitViewer } from '../helpers/node-kill.js';

/**
 * Issue 8: a server node PROCESS is SIGKILLed while a quiz closes and started again on its port. Node A
 * survives, a worker process runs the scheduled close and the outbox sweep. Every viewer of the stream, on
 * A and on B (who reconnect), sees `quiz:result` exactly once, with the stored result; each correct viewer
 * is credited the quiz's points once. Without the join ack's `quizResult` (told by the SDK after the
 * rejoin), B's viewers would never see the result when the push went out while B was down.
 */
const BRAND = 'brand-quiz-kill';
const PER_NODE = 6;
const POINTS = 7;
/** The delivery leases (DELIVERY_LEASE_MS, 3 s here: see the rig) of a node killed mid-delivery, then a sweep (every 5 s), with ample slack. */
const DELIVERED_WITHIN_MS = 30_000;

const rig = new NodeKillRig('quizkill');

interface Viewer extends SplitViewer {
  right: boolean;
  results: (QuizResult & { announcementId?: string })[];
}

/** A live stream with viewers on both nodes who answered a quiz (every other one right); the streamer is on node B. */
async function quizWithViewers(tag: string): Promise<{ streamId: string; quizId: string; host: StreamerClient; viewers: Viewer[] }> {
  const { streamId, host, viewers } = await rig.liveStreamOnBothNodes(tag, BRAND, PER_NODE, (base, i): Viewer => {
    const v = { ...base, right: i % 4 < 2, results: [] as Viewer['results'] };
    base.client.on('quiz:result', (r) => v.results.push(r));
    return v;
  });
  const { quiz } = await host.createQuiz(streamId, {
    question: 'Which bag sold out first?',
    options: ['tote', 'clutch', 'backpack'],
    correctOption: 1,
    durationSec: 5,
    reward: { points: POINTS },
  });
  await Promise.all(viewers.map((v) => v.client.answerQuiz(quiz.id, v.right ? 1 : 0)));
  return { streamId, quizId: quiz.id, host, viewers };
}

/** The result as stored, read straight from Redis. */
async function storedResult(streamId: string, quizId: string): Promise<QuizResult | null> {
  const raw = await rig.direct.hget(quizKeys(new Keys(rig.prefix), streamId).quiz(quizId), 'result');
  return raw ? (JSON.parse(raw) as QuizResult) : null;
}

async function expectEveryViewerSawItOnce(streamId: string, quizId: string, viewers: Viewer[]): Promise<void> {
  // The outbox entry was delivered and removed: by the node that closed the quiz, or by the worker's sweep.
  // A node killed while delivering holds the entry's lease (3 s here) until it expires; the sweep then delivers
  // it again, a repeat every viewer's SDK must drop.
  await expect.poll(() => rig.direct.hlen(outboxKeys(new Keys(rig.prefix), streamId).entries), { timeout: DELIVERED_WITHIN_MS, interval: 100 }).toBe(0);
  await expect.poll(() => viewers.filter((v) => v.results.length === 0).map((v) => v.id), { timeout: 20_000, interval: 50 }).toEqual([]);
  // B's viewers have reconnected and joined again; a repeat of the push (or the ack) would have come by now
  await expect.poll(() => viewers.filter((v) => v.node === 'B' && v.rejoined === 0).map((v) => v.id), { timeout: 20_000, interval: 50 }).toEqual([]);
  const result = await storedResult(streamId, quizId);
  expect(result).toMatchObject({ quizId, correctOption: 1, answers: viewers.length, correct: viewers.filter((v) => v.right).length });
  for (const v of viewers) {
    expect(v.results.map((r) => r.quizId), v.id).toEqual([quizId]);
    expect(v.results[0], v.id).toEqual({ ...result, announcementId: `quiz.result-${quizId}` });
  }
  // the rewards were credited once: a right answer is worth the quiz's points, once
  for (const v of viewers) expect((await v.client.points(BRAND)).balance, v.id).toBe(v.right ? POINTS : 0);
}

describe('a server node killed while a quiz closes', () => {
  it("the push goes out while node B is down: B's viewers see the result once they are back, A's viewers once", { timeout: 120_000 }, async () => {
    const { streamId, quizId, host, viewers } = await quizWithViewers('down');
    const closing = host.closeQuiz(quizId).then(
      () => 'acked',
      (err: { code?: string }) => err.code ?? 'error',
    );
    await rig.nodeB.stop('SIGKILL');
    // closed by node B before it died, or by the worker's scheduled close; announced to A's viewers meanwhile
    await expect.poll(() => storedResult(streamId, quizId), { timeout: 20_000, interval: 100 }).not.toBeNull();
    await expect.poll(() => viewers.filter((v) => v.node === 'A' && v.results.length === 0).length, { timeout: DELIVERED_WITHIN_MS, interval: 50 }).toBe(0);
    expect(viewers.filter((v) => v.node === 'B').every((v) => v.client.state !== 'connected')).toBe(true);
    expect(await closing).not.toBe('acked');

    await rig.restartB();
    await expectEveryViewerSawItOnce(streamId, quizId, viewers);
    for (const c of [host, ...viewers.map((v) => v.client)]) c.close();
  });

  it('node B dies right after its push went out: nobody sees the result twice after reconnecting', { timeout: 120_000 }, async () => {
    const { streamId, quizId, host, viewers } = await quizWithViewers('after');
    const firstOnA = new Promise<void>((resolve) => {
      for (const v of viewers) if (v.node === 'A') v.client.on('quiz:result', () => resolve());
    });
    void host.closeQuiz(quizId).catch(() => undefined);
    await firstOnA;
    await rig.nodeB.stop('SIGKILL');
    await rig.restartB();
    await expectEveryViewerSawItOnce(streamId, quizId, viewers);
    for (const c of [host, ...viewers.map((v) => v.client)]) c.close();
  });
});
