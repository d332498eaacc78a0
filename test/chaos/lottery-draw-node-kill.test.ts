import { describe, expect, it } from 'vitest';
import type { StreamerClient } from '@stickyroom/sdk';
import type { LotteryDrawn } from '@stickyroom/sdk/protocol';
import { Keys } from '../../core/src/redis/keys.js';
import { activityKeys } from '../../core/src/activity/activity.keys.js';
import { lotteryKeys } from '../../core/src/lottery/lottery.keys.js';
import { outboxKeys } from '../../core/src/outbox/outbox.keys.js';
import { NodeKillRig, type SplitViewer } from '../helpers/node-kill.js';

/**
 * Issue 8: a server node PROCESS is SIGKILLed in the middle of a lottery draw and started again on its
 * port. Node A survives, a worker process runs the scheduled draw and the outbox sweep. Every viewer of the
 * stream, on A and on B (who reconnect), sees `lottery:drawn` exactly once, with the stored winners; the
 * draw is stored once and its winners counted once. Without the SDK telling a drawn result found in its
 * rejoin ack, B's viewers would never see it when the push went out while B was down.
 */
const BRAND = 'brand-draw';
const PER_NODE = 6;
const WINNERS = 3;
/** The delivery leases (DELIVERY_LEASE_MS, 3 s here: see the rig) of a node killed mid-delivery, then a sweep (every 5 s), with ample slack. */
const DELIVERED_WITHIN_MS = 30_000;

const rig = new NodeKillRig('drawkill');

interface Viewer extends SplitViewer {
  drawn: (LotteryDrawn & { announcementId?: string })[];
}

/** A live stream with viewers on both nodes who entered a lottery; the streamer is connected to node B. */
async function lotteryWithViewers(tag: string): Promise<{ streamId: string; lotteryId: string; host: StreamerClient; viewers: Viewer[] }> {
  const { streamId, host, viewers } = await rig.liveStreamOnBothNodes(tag, BRAND, PER_NODE, (base): Viewer => {
    const v = { ...base, drawn: [] as Viewer['drawn'] };
    base.client.on('lottery:drawn', (r) => v.drawn.push(r));
    return v;
  });
  const { lottery } = await host.createLottery(streamId, { prize: 'a bag', winners: WINNERS, durationSec: 3 });
  for (const v of viewers) await v.client.enterLottery(lottery.id);
  return { streamId, lotteryId: lottery.id, host, viewers };
}

/** The result as stored, read straight from Redis. */
async function storedResult(streamId: string, lotteryId: string): Promise<LotteryDrawn | null> {
  const raw = await rig.direct.hget(lotteryKeys(new Keys(rig.prefix), streamId).meta(lotteryId), 'result');
  return raw ? (JSON.parse(raw) as LotteryDrawn) : null;
}

async function expectEveryViewerSawItOnce(streamId: string, lotteryId: string, viewers: Viewer[]): Promise<void> {
  const keys = new Keys(rig.prefix);
  // The outbox entry was delivered and removed: by the node that drew, or by the worker's sweep. A node
  // killed while delivering holds the entry's lease (3 s here) until it expires; the sweep then delivers it
  // again, a repeat every viewer's SDK must drop.
  await expect.poll(() => rig.direct.hlen(outboxKeys(keys, streamId).entries), { timeout: DELIVERED_WITHIN_MS, interval: 100 }).toBe(0);
  await expect.poll(() => viewers.filter((v) => v.drawn.length === 0).map((v) => v.id), { timeout: 20_000, interval: 50 }).toEqual([]);
  // B's viewers have reconnected and joined again; a repeat of the push (or the ack) would have come by now
  await expect.poll(() => viewers.filter((v) => v.node === 'B' && v.rejoined === 0).map((v) => v.id), { timeout: 20_000, interval: 50 }).toEqual([]);
  const result = await storedResult(streamId, lotteryId);
  expect(result?.winners).toHaveLength(WINNERS);
  for (const v of viewers) {
    expect(v.drawn.map((d) => d.lotteryId), v.id).toEqual([lotteryId]);
    expect(v.drawn[0]!.winners, v.id).toEqual(result!.winners);
    expect(v.drawn[0]!.announcementId, v.id).toBe(`lottery.drawn-${lotteryId}`);
  }
  // the draw was counted once: one lottery win per winner in the ledger
  expect(Number(await rig.direct.hget(activityKeys(keys, streamId).totals, 'lotteryWins'))).toBe(WINNERS);
}

describe('a server node killed in the middle of a lottery draw', () => {
  it('the push goes out while node B is down: B\'s viewers see the result once they are back, A\'s viewers once', { timeout: 120_000 }, async () => {
    const { streamId, lotteryId, host, viewers } = await lotteryWithViewers('down');
    const drawing = host.drawLottery(lotteryId).then(
      () => 'acked',
      (err: { code?: string }) => err.code ?? 'error',
    );
    await rig.nodeB.stop('SIGKILL');
    // drawn by node B before it died, or by the worker's scheduled draw; announced to A's viewers meanwhile
    await expect.poll(() => storedResult(streamId, lotteryId), { timeout: 20_000, interval: 100 }).not.toBeNull();
    await expect.poll(() => viewers.filter((v) => v.node === 'A' && v.drawn.length === 0).length, { timeout: DELIVERED_WITHIN_MS, interval: 50 }).toBe(0);
    expect(viewers.filter((v) => v.node === 'B').every((v) => v.client.state !== 'connected')).toBe(true);
    expect(await drawing).not.toBe('acked');

    await rig.restartB();
    await expectEveryViewerSawItOnce(streamId, lotteryId, viewers);
    for (const c of [host, ...viewers.map((v) => v.client)]) c.close();
  });

  it('node B dies right after its push went out: nobody sees the result twice after reconnecting', { timeout: 120_000 }, async () => {
    const { streamId, lotteryId, host, viewers } = await lotteryWithViewers('after');
    const firstOnA = new Promise<void>((resolve) => {
      for (const v of viewers) if (v.node === 'A') v.client.on('lottery:drawn', () => resolve());
    });
    void host.drawLottery(lotteryId).catch(() => undefined);
    await firstOnA;
    await rig.nodeB.stop('SIGKILL');
    await rig.restartB();
    await expectEveryViewerSawItOnce(streamId, lotteryId, viewers);
    for (const c of [host, ...viewers.map((v) => v.client)]) c.close();
  });
});
