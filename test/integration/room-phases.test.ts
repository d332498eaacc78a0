import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ViewerClient } from '@stickyroom/sdk';
import { phaseOf } from '../../server/src/io/phases.js';
import { startTestApp, type TestApp } from '../helpers/app.js';

/** The id of the server-side socket of user `sub` on the node of `app` (one socket per viewer here). */
function socketIdOf(app: TestApp, sub: string): string | undefined {
  for (const socket of app.app.io.of('/').sockets.values()) if (socket.data.user?.id === sub) return socket.id;
  return undefined;
}

describe.each(['sharded', 'classic'] as const)('a push to one phase of a stream room, two nodes, %s adapter', (adapter) => {
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    a = await startTestApp({ SOCKET_ADAPTER: adapter });
    b = await startTestApp({ REDIS_PREFIX: a.prefix, SOCKET_ADAPTER: adapter }, { clock: a.clock });
  });

  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('reaches each viewer on either node once, in the part its socket id falls in, and nobody outside the room', async () => {
    const streamId = await a.createStream('Phases', 'brand-a', { start: true });
    const other = await a.createStream('Another room', 'brand-a', { start: true });
    const viewers: { sub: string; node: TestApp; client: ViewerClient; got: number[] }[] = [];
    for (let i = 0; i < 16; i++) {
      const node = i % 2 === 0 ? a : b;
      const sub = `phase-viewer-${i}`;
      const client = await node.joinedViewer(streamId, sub);
      const got: number[] = [];
      client.on('reaction:totals', (e) => void got.push(e.totals.phase!));
      viewers.push({ sub, node, client, got });
    }
    const outsider = await b.joinedViewer(other, 'phase-outsider');
    const outsiderGot: unknown[] = [];
    outsider.on('reaction:totals', (e) => void outsiderGot.push(e));

    const phases = 4;
    const toPhase = a.app.ctx.broadcast.toStreamPhase;
    expect(toPhase).toBeTypeOf('function');
    for (let p = 0; p < phases; p++) toPhase!(streamId, p, phases).emit('reaction:totals', { streamId, totals: { phase: p } });
    // a push to the whole room after them: once a viewer has it, every phase push meant for it has come
    const ends = viewers.map(({ client }) => client.once('reaction:totals', (e) => e.totals.phase === 99));
    a.app.ctx.broadcast.toStream(streamId).emit('reaction:totals', { streamId, totals: { phase: 99 } });
    await Promise.all(ends);

    const parts = new Set<number>();
    for (const v of viewers) {
      const id = socketIdOf(v.node, v.sub);
      expect(id).toBeDefined();
      const mine = phaseOf(id!, phases);
      parts.add(mine);
      expect(v.got).toEqual([mine, 99]);
    }
    expect(parts.size).toBeGreaterThan(1);
    expect(outsiderGot).toEqual([]);
    for (const v of viewers) v.client.close();
    outsider.close();
  });
});
