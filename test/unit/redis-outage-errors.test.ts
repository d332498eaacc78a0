import { Redis, ReplyError, type RedisOptions } from 'ioredis';
import { ConnectionClosedError } from 'bullmq';
import { afterAll, describe, expect, it } from 'vitest';
import { toAckError } from '../../core/src/errors.js';
import { isRedisUnavailable } from '../../core/src/redis/outage.js';
import { freePort } from '../helpers/redis-server.js';

const clients: Redis[] = [];
afterAll(() => clients.forEach((c) => c.disconnect()));

/** A client of a port nobody listens on: its errors are the ones a Redis outage produces. */
async function deadClient(options: RedisOptions = {}): Promise<Redis> {
  const c = new Redis(await freePort(), '127.0.0.1', { retryStrategy: (n) => Math.min(n * 20, 100), ...options });
  c.on('error', () => {});
  clients.push(c);
  return c;
}
const rejection = (p: Promise<unknown>) => p.then(() => undefined, (err: unknown) => err);

describe('a Redis outage, as ioredis reports it', () => {
  it('answers unavailable with retryAfterMs, never internal', async () => {
    const errors = [
      await rejection((await deadClient({ maxRetriesPerRequest: 1 })).get('k')), // MaxRetriesPerRequestError
      await rejection((await deadClient({ enableOfflineQueue: false })).get('k')), // Stream isn't writeable
      await rejection(
        (async () => {
          const c = await deadClient();
          c.disconnect();
          return c.get('k'); // Connection is closed.
        })(),
      ),
      await rejection((await deadClient({ lazyConnect: true, retryStrategy: () => null })).connect()), // ECONNREFUSED
    ];
    expect(errors.map((e) => (e as Error).name)).toContain('MaxRetriesPerRequestError');
    for (const err of errors) {
      expect(err).toBeInstanceOf(Error);
      expect(isRedisUnavailable(err)).toBe(true);
      expect(toAckError(err)).toMatchObject({ error: { code: 'unavailable', retryAfterMs: 1000 }, internal: false, outage: true });
    }
  });

  it('counts a Redis that answers but cannot serve yet (loading, failing over) and BullMQ closed connections', () => {
    for (const err of [
      new ReplyError('LOADING Redis is loading the dataset in memory'),
      new ReplyError('MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to no'),
      new ReplyError('READONLY You can\'t write against a read only replica.'),
      new ConnectionClosedError(),
      Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
      new Error('could not record', { cause: Object.assign(new Error('connect ETIMEDOUT'), { code: 'ETIMEDOUT' }) }),
    ]) {
      expect(toAckError(err).error.code).toBe('unavailable');
    }
  });

  it('leaves bugs and refusals by Redis alone (internal)', () => {
    for (const err of [
      new Error('boom'),
      new ReplyError('ERR wrong number of arguments for \'get\' command'),
      new ReplyError('WRONGTYPE Operation against a key holding the wrong kind of value'),
      new TypeError('Cannot read properties of undefined'),
      'a string',
    ]) {
      expect(toAckError(err)).toMatchObject({ error: { code: 'internal' }, internal: true, outage: false });
    }
  });
});
