import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ViewerClient } from '@stickyroom/sdk';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { readTotals } from '../../core/src/reactions/reactions.store.js';
import { streamTotals, viewerActivity } from '../../core/src/activity/activity.store.js';

const VIEWERS = 20;
const SENDS_EACH = 250;
const FLUSH_MS = 200;

let t: TestApp;
beforeAll(async () => {
  // Throughput is under test, not the flood guards (per-user event limit, per-viewer tap cap): lift them.
  t = await startTestApp({ REACTION_FLUSH_MS: String(FLUSH_MS), EVENT_RATE_LIMIT: '1000000', REACTION_RATE_LIMIT: '1000000' });
});
afterAll(async () => {
  await t.close();
});

describe('reactions under load', () => {
  it(`counts ${VIEWERS * SENDS_EACH} likes from ${VIEWERS} viewers exactly, with totals pushes paced by the flush`, async () => {
    const id = await t.createStream('load', 'brand-a', { start: true });
    const watcher = await t.viewer('load-watcher');
    await watcher.join(id);
    let pushes = 0;
    watcher.on('reaction:totals', (e) => {
      if (e.streamId === id) pushes++;
    });
    const viewers: ViewerClient[] = [];
    for (let i = 0; i < VIEWERS; i++) {
      const v = await t.viewer(`load-${i}`);
      await v.join(id);
      viewers.push(v);
    }
    const total = VIEWERS * SENDS_EACH;
    const all = watcher.once('reaction:totals', (e) => e.streamId === id && e.totals.like === total, 20_000);
    const started = performance.now();
    await Promise.all(viewers.map((v) => Promise.all(Array.from({ length: SENDS_EACH }, () => v.react(id, 'like')))));
    const ackedMs = performance.now() - started;
    await all;
    const seenMs = performance.now() - started;
    process.stdout.write(
      `reactions load: ${total} acked in ${ackedMs.toFixed(0)} ms (${Math.round(total / (ackedMs / 1000))}/s), ` +
        `total seen by the room after ${seenMs.toFixed(0)} ms, ${pushes} totals pushes\n`,
    );
    expect(await readTotals(t.app.ctx.redis, t.app.ctx.keys, id)).toEqual({ like: total });
    expect((await streamTotals(t.app.ctx.redis, t.app.ctx.keys, id)).likes).toBe(total);
    expect((await viewerActivity(t.app.ctx.redis, t.app.ctx.keys, id, 'load-0')).likes).toBe(Math.min(SENDS_EACH, t.config.REACTION_SCORE_CAP));
    expect(pushes).toBeLessThanOrEqual(Math.ceil(seenMs / FLUSH_MS) + 1);
  });
});
