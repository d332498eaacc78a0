import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../core/src/logger.js';
import { createDomainMetrics } from '../../core/src/metrics.js';
import { createRedis } from '../../core/src/redis/client.js';
import { dropPrefix, TEST_REDIS_URL, uniquePrefix } from '../helpers/redis.js';

const prefix = uniquePrefix('redis-metrics');
const metrics = createDomainMetrics();
const redis = createRedis({ url: TEST_REDIS_URL, log: createLogger('silent', 'test'), name: 'probe', metrics });
afterAll(async () => {
  redis.disconnect();
  await dropPrefix(prefix);
});

async function series(name: string, labels: Record<string, string>): Promise<number> {
  const metric = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === name.replace(/_count$/, ''));
  const sample = metric?.values.find(
    (v) => (v as { metricName?: string }).metricName === name && Object.entries(labels).every(([k, l]) => v.labels[k] === l),
  ) ?? metric?.values.find((v) => name === metric.name && Object.entries(labels).every(([k, l]) => v.labels[k] === l));
  return sample?.value ?? 0;
}

describe('Redis command metrics', () => {
  it('times each command once by client and name, scripts and pipelined commands included', async () => {
    await Promise.all(Array.from({ length: 20 }, (_, i) => redis.set(`${prefix}k${i}`, 'v')));
    await redis.pipeline().get(`${prefix}k1`).get(`${prefix}k2`).exec();
    await redis.eval('return 1', 0);
    expect(await series('stickyroom_redis_command_duration_seconds_count', { client: 'probe', command: 'set' })).toBe(20);
    expect(await series('stickyroom_redis_command_duration_seconds_count', { client: 'probe', command: 'get' })).toBe(2);
    expect(await series('stickyroom_redis_command_duration_seconds_count', { client: 'probe', command: 'eval' })).toBe(1);
  });

  it('counts a failed command as an error, by name', async () => {
    await redis.set(`${prefix}text`, 'not a number');
    await expect(redis.incr(`${prefix}text`)).rejects.toThrow(/not an integer/);
    expect(await series('stickyroom_redis_command_errors_total', { client: 'probe', command: 'incr' })).toBe(1);
    expect(await series('stickyroom_redis_command_duration_seconds_count', { client: 'probe', command: 'incr' })).toBe(0);
  });
});
