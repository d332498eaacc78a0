import { describe, expect, it } from 'vitest';
import { runOutageScenario } from './outage-scenario.js';

const ROUNDS = 3;

describe('Redis killed (kill -9) under load, three times, with two server nodes and a worker', () => {
  it('takes no process down, answers unavailable with retryAfterMs while Redis is away, and recovers within 5 s', async () => {
    const report = await runOutageScenario({ rounds: ROUNDS });

    expect(report.exits).toEqual([]);
    expect(report.unhandled).toEqual([]);
    expect(report.rounds).toHaveLength(ROUNDS);
    for (const round of report.rounds) {
      // while Redis was down, every refusal was `unavailable` (no `internal`, no ack left unanswered)
      expect(Object.keys(round.whileDown).filter((code) => code !== 'ok' && code !== 'unavailable')).toEqual([]);
      expect(round.whileDown.unavailable).toBeGreaterThan(0);
      expect(Object.keys(round.codes).filter((code) => code !== 'ok' && code !== 'unavailable')).toEqual([]);
      for (const ms of Object.values(round.recoveredAfter)) expect(ms).toBeLessThan(5000);
    }
    expect(report.unavailableWithoutRetryAfter).toBe(0);
    expect(Object.keys(report.afterRecovery)).toEqual(['ok']);
    expect(report.problems).toEqual([]);
  }, 120_000);
});
