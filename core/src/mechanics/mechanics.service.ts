import type { User } from '../identity/tokens.js';
import { canReadBrand } from '../identity/tokens.js';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { brandStreamKeys } from '../streams/streams.keys.js';
import { brandMechanics, type BrandMechanics } from './mechanics.report.js';

/** Most streams one request reads (each costs a few round trips per thousand viewers). */
export const MECHANICS_MAX_STREAMS = 100;

/**
 * The mechanics figures of a brand's streams created in [from, to] (`to` defaults to now), for the
 * brand's own team or an admin. A range holding more than MECHANICS_MAX_STREAMS streams is refused.
 */
export async function mechanicsForRange(
  ctx: AppContext,
  user: User,
  brandId: string,
  q: { from?: number | undefined; to?: number | undefined },
): Promise<BrandMechanics & { brandId: string; from: number | null; to: number; streams: string[] }> {
  if (!canReadBrand(user, brandId)) throw new AppError('forbidden', "only the brand's own team reads its mechanics");
  const to = q.to ?? ctx.clock.now();
  const from = q.from ?? null;
  if (from !== null && from > to) throw new AppError('invalid_payload', 'from: after to');
  const streams = await ctx.redis.zrangebyscore(brandStreamKeys(ctx.keys, brandId).streams, from ?? '-inf', to, 'LIMIT', 0, MECHANICS_MAX_STREAMS + 1);
  if (streams.length > MECHANICS_MAX_STREAMS) {
    throw new AppError('invalid_payload', `more than ${MECHANICS_MAX_STREAMS} streams in the range: narrow from/to`);
  }
  return { brandId, from, to, streams, ...(await brandMechanics(ctx, brandId, streams)) };
}
