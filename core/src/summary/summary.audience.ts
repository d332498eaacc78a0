import type { Segment } from '@stickyroom/sdk/protocol';
import type { AppContext } from '../context.js';
import { activityKeys } from '../activity/activity.keys.js';
import { presenceKeys } from '../presence/presence.keys.js';
import { entryOfActivity, parseEntriesBefore } from '../scoring/scoring.history.js';
import { scoringStore } from '../scoring/scoring.store.js';
import { rate, segmentAt, type Rating } from '../stickiness/index.js';
import type { StreamRecord } from '../streams/streams.store.js';
import { pairs } from '../redis/replies.js';
import { BATCH } from './summary.store.js';
import { summaryKeys } from './summary.keys.js';
import { streamStart, summaryStore, type ViewerRow } from './summary.viewers.js';

/** Ledger changes and joins are read in pages of this many. */
const PAGE = 5000;
/**
 * Joins are found again from this long before the latest join already read: a join's time is its node's
 * clock, so a join written just after a read may carry an earlier time. Should clocks disagree by more, the
 * count of joins no longer matches and every join is read again (exact either way, only slower).
 */
const JOIN_SKEW_MS = 60_000;

/** One viewer of the stream, as the summary's per-viewer pass needs them (rated once per change). */
export interface AudienceMember {
  row: ViewerRow;
  /** Segment when the stream started (null: no earlier stream of the brand). */
  before: Segment | null;
  /** Rating from the earlier streams plus this stream's activity as read (null: none); evaluated at the summary's time. */
  after: Rating | null;
  /** Found among the stream's joins (presence), not only in the ledger. */
  joined: boolean;
}

/**
 * The stream's viewers with what the summary needs of each, kept up to date from the ledger's change index
 * (viewers changed after `seq`) and the presence joins: after `update`, every member is as a full read made
 * at the start of the update would have found them (a viewer changed meanwhile is read again next time).
 * The live summary keeps one per stream on the node that holds its refresh lease, so a refresh reads only
 * what changed; the final summary builds a fresh one.
 */
export class Audience {
  readonly members = new Map<string, AudienceMember>();
  /** Every ledger change up to this sequence is in `members`. */
  seq = 0;
  /** Members found among the joins. */
  joinedCount = 0;
  /** Latest join time read. */
  joinedUpTo = 0;
  /** What the members' `returning` flags and `before` segments were read under (see `computeSummary`). */
  basis = '';
  /** The previous stream's viewers, with the marks they were read at (its joins, its latest ledger change). */
  previous: { streamId: string; marks: string; viewers: Set<string> } | null = null;

  constructor(readonly streamId: string) {}

  reset(basis: string): void {
    this.members.clear();
    this.seq = 0;
    this.joinedCount = 0;
    this.joinedUpTo = 0;
    this.basis = basis;
    this.previous = null;
  }
}

/** Brings `audience` up to date: reads (again) the viewers changed or joined since its last update. */
export async function updateAudience(ctx: AppContext, stream: StreamRecord, audience: Audience): Promise<void> {
  const { redis } = ctx;
  const ak = activityKeys(ctx.keys, stream.id);
  const pk = presenceKeys(ctx.keys, stream.id);
  // The marks first, the data after: whatever changes from here on is read again by the next update.
  const [last, joins] = await Promise.all([redis.zrange(ak.dirty, -1, -1, 'WITHSCORES'), redis.zcard(pk.unique)]);
  const topSeq = last.length ? Number(last[1]) : 0;

  // The join pages are read while the change index is walked (neither waits for the other); they are applied
  // after it, in the order they came, as if read one after the other.
  const readAhead = <T>(p: Promise<T>): Promise<T> => {
    p.catch(() => {}); // awaited below; a failure of the other walk first must not leave this one unhandled
    return p;
  };
  const windowPages = joins > audience.joinedCount && audience.joinedCount > 0 ? readAhead(joinsSince(ctx, pk.unique, audience.joinedUpTo - JOIN_SKEW_MS)) : null;
  const allPages = joins > audience.joinedCount && audience.joinedCount === 0 ? readAhead(everyJoin(ctx, pk.unique)) : null;

  const toRead = new Map<string, boolean>(); // viewerId -> joined
  for (let from = audience.seq; from < topSeq; ) {
    const flat = await redis.zrangebyscore(ak.dirty, `(${from}`, topSeq, 'WITHSCORES', 'LIMIT', 0, PAGE);
    if (flat.length === 0) break;
    for (const [id, seq] of pairs(flat)) {
      toRead.set(id, audience.members.get(id)?.joined ?? false);
      from = Number(seq);
    }
  }

  const join = (id: string, at: number) => {
    if (at > audience.joinedUpTo) audience.joinedUpTo = at;
    const m = audience.members.get(id);
    if (m) {
      if (!m.joined) {
        m.joined = true;
        audience.joinedCount++;
      }
      if (toRead.has(id)) toRead.set(id, true);
    } else if (!toRead.get(id)) {
      toRead.set(id, true);
      audience.joinedCount++;
    }
  };
  if (joins > audience.joinedCount) {
    // the joins since the latest one read (and a margin)
    if (windowPages) for (const flat of await windowPages) for (const [id, at] of pairs(flat)) join(id, Number(at));
    if (audience.joinedCount < joins) {
      // the first update, or joins the window missed: every join, once more
      const pages = allPages ?? everyJoin(ctx, pk.unique);
      for (const flat of await pages) for (const [id, at] of pairs(flat)) join(id, Number(at));
    }
  }

  const ids = [...toRead.keys()];
  const read = (from: number) => {
    const p = readMembers(ctx, stream, ids.slice(from, from + BATCH), toRead);
    p.catch(() => {}); // awaited below; this only keeps a read-ahead that fails after an earlier throw from going unhandled
    return p;
  };
  // READ_AHEAD batches in flight: Redis answers the next ones while this one is rated.
  const pending: Promise<AudienceMember[]>[] = [];
  let sent = 0;
  const fill = () => {
    for (; sent < ids.length && pending.length < READ_AHEAD; sent += BATCH) pending.push(read(sent));
  };
  fill();
  for (let i = 0; pending.length; i += BATCH) {
    const members = await pending.shift()!;
    fill();
    for (let j = 0; j < members.length; j++) audience.members.set(ids[i + j]!, members[j]!);
  }
  audience.seq = Math.max(audience.seq, topSeq);
}

/** The joins at or after `from` (ms), in pages of PAGE (member, time, ...), by time. */
async function joinsSince(ctx: AppContext, key: string, from: number): Promise<string[][]> {
  const pages: string[][] = [];
  for (let offset = 0; ; offset += PAGE) {
    const flat = await ctx.redis.zrangebyscore(key, from, '+inf', 'WITHSCORES', 'LIMIT', offset, PAGE);
    pages.push(flat);
    if (flat.length < 2 * PAGE) return pages;
  }
}

/** Every join, in ZSCAN pages (member, time, ...; a member may come twice). */
async function everyJoin(ctx: AppContext, key: string): Promise<string[][]> {
  const pages: string[][] = [];
  let cursor = '0';
  do {
    const [next, flat] = await ctx.redis.zscan(key, cursor, 'COUNT', PAGE);
    cursor = next;
    pages.push(flat);
  } while (cursor !== '0');
  return pages;
}

/** Batches of viewers read at once (each three requests); a new one is sent as soon as the oldest is in. */
const READ_AHEAD = 8;

/** Activity, first-seen flags and stickiness of up to BATCH viewers: three reads, sent together. */
async function readMembers(ctx: AppContext, stream: StreamRecord, ids: readonly string[], joined: ReadonlyMap<string, boolean>): Promise<AudienceMember[]> {
  const store = summaryStore(ctx);
  const scoring = scoringStore(ctx);
  const p = scoring.params;
  const start = streamStart(stream);
  const [activities, first, histories] = await Promise.all([
    store.activities(stream.id, ids),
    store.firstSeen(stream.brandId, ids),
    ctx.redis.hmget(scoring.keys(stream.brandId).history, ...ids),
  ]);
  return ids.map((viewerId, i) => {
    const activity = activities[i]!;
    // the entries of streams that started before this one, this stream's own (rolled up at its end) skipped unparsed
    const earlier = parseEntriesBefore(histories[i], stream.id, start);
    const b = rate(earlier, p);
    // The rollup gives every viewer with ledger activity an entry for the stream; join-only viewers get none.
    if (activity.firstAt !== undefined) earlier.push(entryOfActivity(stream.id, start, activity));
    return {
      row: {
        viewerId,
        activity,
        returning: (first.seen[i] ?? Infinity) < start,
        returningBuyer: (first.bought[i] ?? Infinity) < start,
      },
      before: b ? segmentAt(b, start, p) : null,
      after: rate(earlier, p),
      joined: joined.get(viewerId)!,
    };
  });
}

/**
 * The viewers of another stream (the brand's previous one, for churn), read again only when its joins or its
 * ledger moved since the audience last read them (or it was finalized: its snapshot is then the population).
 */
export async function previousPopulation(ctx: AppContext, audience: Audience, streamId: string): Promise<Set<string>> {
  const ak = activityKeys(ctx.keys, streamId);
  const [joins, last, final] = await Promise.all([
    ctx.redis.zcard(presenceKeys(ctx.keys, streamId).unique),
    ctx.redis.zrange(ak.dirty, -1, -1, 'WITHSCORES'),
    ctx.redis.exists(summaryKeys(ctx.keys, streamId).final),
  ]);
  const marks = `${joins}:${last[1] ?? 0}:${final}`;
  const kept = audience.previous;
  if (kept && kept.streamId === streamId && kept.marks === marks) return kept.viewers;
  const viewers = await summaryStore(ctx).population(streamId);
  audience.previous = { streamId, marks, viewers };
  return viewers;
}
