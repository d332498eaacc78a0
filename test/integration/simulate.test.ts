import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { StreamSummary } from '@stickyroom/sdk';
import { ConfigError, loadConfig } from '../../core/src/config.js';
import { runSimulation, type SimRun } from '../../scripts/simulate/driver.js';
import { dropPrefix, TEST_REDIS_URL, uniquePrefix } from '../helpers/redis.js';

const SMALL = { seed: 7, streams: 2, viewers: 40, minutes: 20, port: 0, weeksBetween: 1 };

/** What a run is judged by: every figure of each final summary but the ids and the stored time. */
function figures(run: SimRun): unknown[] {
  return run.streams.map(({ summary }) => {
    const { streamId, previousStreamId, computedAt, lotteries, moments, polls, ...rest } = summary;
    return {
      ...rest,
      polls: polls?.map(({ pollId, ...p }) => p),
      lotteries: lotteries.map(({ lotteryId, seed, commitment, entrantsHash, winners, ...l }) => ({ ...l, winners: winners.length })),
      moments: moments.map(({ id, ...m }) => (m.kind === 'product' ? { id, ...m } : m)),
    };
  });
}

async function simulate(seed: number): Promise<SimRun> {
  const prefix = uniquePrefix('sim');
  try {
    return await runSimulation({ ...SMALL, seed, redisPrefix: prefix, env: { REDIS_URL: TEST_REDIS_URL, LOG_LEVEL: 'silent', NODE_ENV: 'test' } });
  } catch (err) {
    await dropPrefix(prefix);
    throw err;
  }
}

describe('npm run simulate', () => {
  it('plays a small history where every stream ends finalized with every mechanic used, and the same seed gives the same figures', async () => {
    const first = await simulate(SMALL.seed);
    let second: SimRun | undefined;
    try {
      expect(first.streams).toHaveLength(2);
      for (const { summary: s, dashboardUrl } of first.streams) {
        const nonzero: (keyof StreamSummary)[] = [
          'uniqueViewers', 'totalWatchSec', 'avgWatchSec', 'chatMessages', 'likes', 'questions', 'upvotes', 'quizzes', 'quizAnswers', 'quizCorrect',
          'lotteryEntries', 'lotteryWinners', 'couponDrops', 'couponClaims', 'couponRedemptions', 'productPins', 'productClicks', 'orders', 'revenue', 'engagementRate',
        ];
        expect(s, JSON.stringify(s)).toMatchObject({ final: true, status: 'ended', durationSec: SMALL.minutes * 60, quizzes: 2, couponDrops: 1, productPins: 3 });
        for (const k of nonzero) expect(s[k], k).toBeGreaterThan(0);
        expect(s.lotteries).toHaveLength(1);
        expect(s.polls).toHaveLength(1);
        expect(s.polls![0]!.votes).toBeGreaterThan(0);
        expect(s.survey?.responses).toBeGreaterThan(0);
        expect(dashboardUrl).toMatch(new RegExp(`^${first.url}/dashboard/streams/${s.streamId}#token=ey`));
      }
      // the second stream, a week later, has viewers of the first
      const [one, two] = first.streams.map((o) => o.summary);
      expect(two!.startedAt! - one!.startedAt!).toBe(7 * 24 * 3600_000);
      expect(two!.returningViewers).toBeGreaterThan(0);
      expect(two!.previousStreamId).toBe(one!.streamId);
      // nobody closed the quizzes, the polls, the lotteries or the drops: each closed on its timer, at its simulated time
      expect(first.jobsRun).toMatchObject({ 'quiz.close': 4, 'poll.close': 2, 'lottery.draw': 2, 'drop.end': 2, 'stream.finalize': 2 });
      expect(first.brandUrl).toContain(`/dashboard/brands/${first.brandId}#token=`);
      expect(first.topViewers.length).toBeGreaterThan(0);

      second = await simulate(SMALL.seed);
      expect(figures(second)).toEqual(figures(first));
      expect(second.topViewers).toEqual(first.topViewers);
    } finally {
      await first.close();
      await second?.close();
    }
  }, 120_000);

  it('refuses the simulation clock when NODE_ENV=production, in the configuration and at the command line', async () => {
    const production = {
      NODE_ENV: 'production',
      JWT_SECRET: 'a'.repeat(40) + 'x1',
      WEBHOOK_SECRET: 'b'.repeat(40) + 'y2',
      METRICS_TOKEN: 'c'.repeat(40) + 'z3',
    };
    expect(() => loadConfig({ ...production, SIMULATION_CLOCK: '1' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...production, SIMULATION_CLOCK: '1' })).toThrow(/SIMULATION_CLOCK: refused when NODE_ENV=production/);
    expect(loadConfig(production).SIMULATION_CLOCK).toBe(false);

    const { code, out, err } = await new Promise<{ code: number; out: string; err: string }>((resolve) =>
      execFile(
        process.execPath,
        ['--conditions=@stickyroom/source', '--import', 'tsx', 'scripts/simulate/main.ts', '--seed', '1', '--exit'],
        { env: { ...process.env, NODE_ENV: 'production' } },
        (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, out: stdout, err: stderr }),
      ),
    );
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toContain('SIMULATION_CLOCK: refused when NODE_ENV=production');
  });
});
