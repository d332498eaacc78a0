import { describe, expect, it } from 'vitest';
import type { AppContext } from '../../core/src/context.js';
import { createLogger } from '../../core/src/logger.js';
import { ANYONE, createDispatcher, defineHandler, type AppSocket } from '../../server/src/io/handler.js';
import { createMetrics } from '../../server/src/metrics.js';

/** What the dispatcher reads of a node's context. */
const ctx = {
  config: { EVENT_RATE_LIMIT: 1000 },
  clock: { now: () => Date.now() },
  log: createLogger('silent', 'test'),
} as unknown as AppContext;

const socket = (id: string) => ({ id, connected: true, data: { user: { id, role: 'viewer' }, streams: new Set<string>() } }) as unknown as AppSocket;

/** A room:join that takes turns one at a time and answers when the test finishes it, by user. */
function heldJoins() {
  const started: string[] = [];
  const finish = new Map<string, () => void>();
  const handler = defineHandler('room:join', { roles: ANYONE, concurrency: () => 1 }, ({ user }) => {
    started.push(user.id);
    return new Promise((resolve) => finish.set(user.id, () => resolve({} as never)));
  });
  return { handler, started, finish: (id: string) => finish.get(id)!() };
}

describe('an event that takes turns (HandlerOptions.concurrency)', () => {
  it('runs one at a time in arrival order, and /metrics shows how many wait', async () => {
    const metrics = createMetrics();
    const { handler, started, finish } = heldJoins();
    const dispatch = createDispatcher(ctx, [handler], metrics);
    const answered: string[] = [];
    const waiting = async () => (await metrics.registry.getSingleMetric('stickyroom_socket_events_waiting')!.get()).values.find((v) => v.labels.event === 'room:join')?.value;

    for (const id of ['a', 'b', 'c']) dispatch(socket(id), 'room:join', [{ streamId: 's1' }, () => answered.push(id)]);
    expect(started).toEqual(['a']);
    expect(await waiting()).toBe(2);

    finish('a');
    await new Promise((r) => setImmediate(r));
    expect(answered).toEqual(['a']);
    expect(started).toEqual(['a', 'b']);
    expect(await waiting()).toBe(1);

    finish('b');
    await new Promise((r) => setImmediate(r));
    finish('c');
    await new Promise((r) => setImmediate(r));
    expect(answered).toEqual(['a', 'b', 'c']);
    expect(await waiting()).toBe(0);
  });

  it('skips an event whose socket went away while it waited', async () => {
    const { handler, started, finish } = heldJoins();
    const dispatch = createDispatcher(ctx, [handler], createMetrics());
    const gone = socket('gone');
    for (const s of [socket('first'), gone, socket('last')]) dispatch(s, 'room:join', [{ streamId: 's1' }, () => {}]);
    (gone as unknown as { connected: boolean }).connected = false;
    finish('first');
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual(['first', 'last']);
  });
});
