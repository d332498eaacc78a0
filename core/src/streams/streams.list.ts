import type { StreamStatus } from '@stickyroom/sdk/protocol';
import type { User } from '../identity/tokens.js';
import { canReadBrand } from '../identity/tokens.js';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import type { StreamRecord } from './streams.store.js';
import { streamStore } from './streams.service.js';

/** Streams read per round while filtering by status, and the most one request looks at before it answers. */
const SCAN_CHUNK = 200;
const SCAN_MAX = 2000;

/**
 * A brand's streams, newest first, optionally only those of one status. The cursor is the position in the
 * brand's stream list where the next page starts; a filtered request that looked at SCAN_MAX streams answers
 * a short page with a cursor to follow, so one call never reads an unbounded list.
 */
export async function listStreams(
  ctx: AppContext,
  user: User,
  q: { status?: StreamStatus | undefined; limit: number; cursor?: string | undefined; brandId?: string | undefined },
): Promise<{ streams: StreamRecord[]; nextCursor: string | null }> {
  const brandId = user.role === 'admin' ? (q.brandId ?? user.brandId) : user.brandId;
  if (!brandId) throw new AppError('invalid_payload', 'brandId: an admin names the brand (?brandId=)');
  if (!canReadBrand(user, brandId) || (q.brandId !== undefined && q.brandId !== brandId)) {
    throw new AppError('forbidden', "only the brand's own team lists its streams");
  }
  const store = streamStore(ctx);
  const streams: StreamRecord[] = [];
  let offset = q.cursor ? Number(q.cursor) : 0;
  const stopAt = offset + SCAN_MAX;
  while (streams.length < q.limit && offset < stopAt) {
    const chunk = q.status ? SCAN_CHUNK : q.limit - streams.length;
    const ids = await store.brandStreams(brandId, chunk, offset);
    if (ids.length === 0) return { streams, nextCursor: null };
    const records = await store.getMany(ids);
    for (let i = 0; i < records.length; i++) {
      const s = records[i];
      if (s && (!q.status || s.status === q.status)) streams.push(s);
      if (streams.length === q.limit) {
        offset += i + 1;
        return { streams, nextCursor: await more(offset) };
      }
    }
    offset += ids.length;
  }
  return { streams, nextCursor: await more(offset) };

  async function more(at: number): Promise<string | null> {
    return (await store.brandStreams(brandId!, 1, at)).length > 0 ? String(at) : null;
  }
}
