import { randomBytes } from 'node:crypto';
import type { ReferralReport, ReferralStatus } from '@stickyroom/sdk/protocol';
import { authorizeBrand } from '../scoring/scoring.service.js';
import { perContext, type AppContext } from '../context.js';
import { AppError } from '../errors.js';
import type { User } from '../identity/tokens.js';
import { grantPoints } from '../points/points.service.js';
import { getStream } from '../streams/streams.service.js';
import type { StreamRecord } from '../streams/streams.store.js';
import { ReferralStore } from './referrals.store.js';

export const referralStore = perContext((ctx) => new ReferralStore(ctx.redis, ctx.keys));

/**
 * The viewer's personal share link for a stream: their code for the stream's brand (made once, the same
 * every time) in REFERRAL_LINK_PATH under PUBLIC_URL, or under `origin` (where the viewer connected from).
 */
export async function referralLink(ctx: AppContext, user: User, streamId: string, origin: string | undefined): Promise<{ code: string; url: string }> {
  if (user.role !== 'viewer') throw new AppError('forbidden', 'share links are for viewers');
  const stream = await getStream(ctx, streamId);
  const code = await referralStore(ctx).code(stream.brandId, user.id, randomBytes(12).toString('base64url'));
  const path = ctx.config.REFERRAL_LINK_PATH.replaceAll('{streamId}', encodeURIComponent(stream.id)).replaceAll('{code}', code);
  const base = (ctx.config.PUBLIC_URL ?? origin ?? '').replace(/\/+$/, '');
  return { code, url: /^https?:\/\//.test(path) ? path : `${base}${path}` };
}

/**
 * Credits a joining viewer to the owner of `code` (docs/protocol.md, Referrals): once per viewer and
 * brand, never to themselves, never for a viewer the brand already knew (attended an ended stream of the
 * brand, has a stickiness history with it, has a share link of their own, or has been in this stream before),
 * within the referrer's caps.
 * The decision is one script in the brand's slot; what follows it (the record in this stream and the
 * referrer's `referrals` activity, both points grants, the referrer's push) is idempotent and runs again
 * when the viewer joins again with the same code, so a crash between them loses nothing for good.
 * Called before the join records the viewer; never refuses the join.
 */
export async function joinWithReferral(ctx: AppContext, stream: StreamRecord, user: User, code: string): Promise<ReferralStatus> {
  if (user.role !== 'viewer') return 'known';
  const store = referralStore(ctx);
  const now = ctx.clock.now();
  const rejoin = await store.joinedBefore(stream.id, user.id);
  const res = await store.credit({
    brandId: stream.brandId,
    code,
    referredId: user.id,
    streamId: stream.id,
    now,
    maxPerStream: ctx.config.REFERRAL_MAX_PER_STREAM,
    maxPerDay: ctx.config.REFERRAL_MAX_PER_DAY,
    rejoin,
  });
  if (res.status === 'credited') {
    await followUp(ctx, stream, res.referrerId, user.id, now);
    ctx.log.info({ streamId: stream.id, referrer: res.referrerId, referred: user.id }, 'referral credited');
    return 'credited';
  }
  // the same credit again (a re-join through the same link in the same stream): finish what may be missing
  if (res.status === 'credited_before' && res.streamId === stream.id) await followUp(ctx, stream, res.referrerId, user.id, now);
  return res.status === 'credited_before' ? 'known' : res.status;
}

async function followUp(ctx: AppContext, stream: StreamRecord, referrerId: string, referredId: string, now: number): Promise<void> {
  await referralStore(ctx).record({ streamId: stream.id, referredId, referrerId, now });
  const grant = { brandId: stream.brandId, streamId: stream.id, source: 'referral', sourceId: referredId } as const;
  const [toReferrer] = await Promise.all([
    grantPoints(ctx, { ...grant, viewerId: referrerId, points: ctx.config.REFERRAL_POINTS_REFERRER }),
    grantPoints(ctx, { ...grant, viewerId: referredId, points: ctx.config.REFERRAL_POINTS_REFERRED }),
  ]);
  ctx.broadcast.toUser(referrerId).emit('referral:credited', {
    streamId: stream.id,
    referredId,
    points: toReferrer,
    announcementId: `referral.${stream.brandId}.${referredId}`,
  });
}

/** The brand's referral report: viewers credited to a referrer, and the best referrers (all time). */
export async function referralReport(ctx: AppContext, user: User, brandId: string, limit: number): Promise<ReferralReport> {
  authorizeBrand(user, brandId);
  const { referred, topReferrers } = await referralStore(ctx).brandReferrals(brandId, limit);
  return { brandId, referredViewers: referred, topReferrers };
}
