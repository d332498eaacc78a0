import type { StreamSuggestions } from '@stickyroom/sdk/protocol';
import type { User } from '../identity/tokens.js';
import { perContext, type AppContext } from '../context.js';
import { productStore } from '../products/products.service.js';
import { readableStream, streamStore } from '../streams/streams.service.js';
import type { StreamRecord } from '../streams/streams.store.js';
import { liveSummaries } from '../summary/summary.live.js';
import { earlierStreams, summaryStore } from '../summary/summary.viewers.js';
import { rankProducts, segmentSkew, type ProductEvidence } from './suggestions.compute.js';
import { SuggestionsStore } from './suggestions.store.js';

/** Earlier streams read: the brand's latest ended ones, enough to say what its audience usually does. */
export const EARLIER_STREAMS = 10;
/** Products listed at most. */
export const MAX_PRODUCTS = 5;
/** A node answers the same suggestions for this long: a console polling them costs one computation per interval. */
export const SUGGESTIONS_CACHE_MS = 15_000;
/** Brand streams looked at to find the earlier ended ones. */
const BRAND_STREAMS_READ = 200;

const store = perContext((ctx) => new SuggestionsStore(ctx.redis, ctx.keys));
const cache = perContext(() => new Map<string, { at: number; value: Promise<StreamSuggestions> }>());

/**
 * `GET /api/streams/:id/suggestions`: which product to pin next (what tonight's viewers clicked and bought in
 * the brand's earlier streams) and which segments are over- or under-represented tonight against the brand's
 * usual audience. Staff and brand team of the stream's brand.
 */
export async function suggestionsFor(ctx: AppContext, user: User, streamId: string): Promise<StreamSuggestions> {
  const stream = await readableStream(ctx, user, streamId);
  const now = ctx.clock.now();
  const entries = cache(ctx);
  const hit = entries.get(stream.id);
  if (hit && now - hit.at < SUGGESTIONS_CACHE_MS) return hit.value;
  for (const [id, e] of entries) if (now - e.at >= SUGGESTIONS_CACHE_MS) entries.delete(id);
  const value = compute(ctx, stream, now);
  entries.set(stream.id, { at: now, value });
  value.catch(() => entries.delete(stream.id));
  return value;
}

async function compute(ctx: AppContext, stream: StreamRecord, now: number): Promise<StreamSuggestions> {
  const ids = await streamStore(ctx).brandStreams(stream.brandId, BRAND_STREAMS_READ);
  const all = (await streamStore(ctx).getMany(ids)).filter((s): s is StreamRecord => s !== null);
  const earlier = earlierStreams(stream, all)
    .filter((s) => s.status === 'ended')
    .slice(-EARLIER_STREAMS)
    .reverse();
  const [audience, pinned, pinnedTonight, tonight, finals, evidence] = await Promise.all([
    summaryStore(ctx).population(stream.id),
    productStore(ctx).pinned(stream.id),
    store(ctx).pinnedIds(stream.id),
    liveSummaries(ctx).read(stream),
    Promise.all(earlier.map((s) => summaryStore(ctx).readFinal(s.id))),
    Promise.all(earlier.map((s) => store(ctx).evidence(s.id))),
  ]);
  // newest first, so a product's title is the one it had most recently
  const byProduct = new Map<string, ProductEvidence>();
  for (const e of evidence) {
    for (const p of e.products) {
      let pe = byProduct.get(p.id);
      if (!pe) byProduct.set(p.id, (pe = { productId: p.id, title: p.title, product: p, clickedBy: new Set(), boughtBy: new Set() }));
      for (const v of e.clickedBy.get(p.id) ?? []) pe.clickedBy.add(v);
    }
    for (const [id, buyers] of e.boughtBy) {
      const pe = byProduct.get(id);
      // a product bought but never pinned in the stream has no card to pin
      if (pe) for (const v of buyers) pe.boughtBy.add(v);
    }
  }
  return {
    streamId: stream.id,
    computedAt: now,
    audience: audience.size,
    basedOn: earlier.map((s) => s.id),
    products: rankProducts(audience, byProduct.values(), { pinnedNow: pinned?.id ?? null, pinnedTonight, streams: earlier.length, limit: MAX_PRODUCTS }),
    segments: segmentSkew(
      tonight.segments.before,
      finals.flatMap((f) => (f ? [f.segments.before] : [])),
    ),
  };
}
