import type { AppContext } from '../context.js';
import { queueActivity } from '../activity/activity.store.js';
import type { OutboxEntry } from '../outbox/outbox.entry.js';
import { OutboxStore } from '../outbox/outbox.store.js';
import { lotteryStore } from './lottery.service.js';
import { emitWebhook } from '../webhooks/webhooks.service.js';

/**
 * Delivers a drawn lottery's outbox entry; runs at least once, so each step is safe to repeat: the
 * winners' `lotteryWins` activity is counted in one MULTI with the entry's `counted` mark (same slot),
 * the brand's winner records are a ZADD GT, and the pushes carry the entry's id for the SDK's dedupe.
 */
export async function deliverLotteryDrawn(
  ctx: AppContext,
  streamId: string,
  entryId: string,
  entry: Extract<OutboxEntry, { kind: 'lottery.drawn' }>,
): Promise<void> {
  const l = await lotteryStore(ctx).get(streamId, entry.lotteryId);
  const result = l?.result;
  if (!l || !result) {
    ctx.log.error({ streamId, entryId }, 'outbox entry of a lottery without a result: nothing to announce');
    return;
  }
  if (!entry.counted) {
    const multi = ctx.redis.multi();
    for (const viewerId of result.winners) queueActivity(multi, ctx.keys, { streamId, viewerId, metric: 'lotteryWins', at: result.drawnAt });
    new OutboxStore(ctx.redis, ctx.keys).queueUpdate(multi, streamId, entryId, { ...entry, counted: true });
    for (const [err] of (await multi.exec()) ?? []) if (err) throw err;
  }
  await lotteryStore(ctx).recordBrandWinners(l.brandId, result.winners, result.drawnAt);
  await emitWebhook(ctx, l.brandId, 'lottery.drawn', `lottery.drawn:${l.id}`, {
    streamId,
    lotteryId: l.id,
    prize: l.prize,
    winners: result.winners,
    winnerCount: result.winnerCount,
    entrants: result.entrants,
    drawnAt: result.drawnAt,
    commitment: result.commitment,
    seed: result.seed,
    entrantsHash: result.entrantsHash,
  }, result.drawnAt);
  ctx.broadcast.toStream(streamId).emit('lottery:drawn', { ...result, announcementId: entryId });
  for (const viewerId of result.winners) {
    ctx.broadcast
      .toUser(viewerId)
      .emit('reward:granted', { streamId, source: 'lottery', sourceId: l.id, prize: l.prize, announcementId: `${entryId}.${viewerId}` });
  }
  ctx.log.info({ lotteryId: l.id, entrants: result.entrants, winners: result.winners.length }, 'lottery announced');
}
