import type { RedisClient } from '../redis/client.js';
import type { Keys } from '../redis/keys.js';
import { pairs } from '../redis/replies.js';
import { listReplace } from './data-rights.scripts.js';
import { globEscape } from './scan.js';

/**
 * The moves a data-rights delete is made of, each idempotent: what the viewer's id names is either
 * removed or handed to the pseudonym, so a second run (a retry after a crash) finds nothing left to do.
 * Every pair of keys a move touches is in one slot (the same stream or brand), as Redis Cluster needs.
 */
export class ForgetOps {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    readonly viewerId: string,
    readonly pseudonym: string,
  ) {}

  /** A sorted-set member: its score moves to the pseudonym (kept when the pseudonym has one already). */
  async zsetMember(key: string): Promise<void> {
    const score = await this.redis.zscore(key, this.viewerId);
    if (score === null) return;
    await this.redis.multi().zadd(key, 'NX', score, this.pseudonym).zrem(key, this.viewerId).exec();
  }

  /** A hash field named by the viewer: its value moves to the pseudonym's field. */
  async hashField(key: string): Promise<void> {
    const v = await this.redis.hget(key, this.viewerId);
    if (v === null) return;
    await this.redis.multi().hsetnx(key, this.pseudonym, v).hdel(key, this.viewerId).exec();
  }

  async setMember(key: string): Promise<void> {
    if ((await this.redis.srem(key, this.viewerId)) === 1) await this.redis.sadd(key, this.pseudonym);
  }

  /** A key named by the viewer becomes the pseudonym's (an earlier key of the pseudonym is kept as is). */
  async renameKey(from: string, to: string): Promise<void> {
    if ((await this.redis.exists(from)) === 0) return;
    await this.redis.renamenx(from, to);
    await this.redis.del(from);
  }

  /** Chat messages (ZSET id -> message JSON) the viewer sent, read in pages by id; `remove`: deleted too. */
  async messagesOf(key: string, remove: boolean): Promise<Record<string, unknown>[]> {
    const mine: Record<string, unknown>[] = [];
    let after = '-inf';
    for (;;) {
      const flat = await this.redis.zrangebyscore(key, after, '+inf', 'WITHSCORES', 'LIMIT', 0, 500);
      if (flat.length === 0) return mine;
      const members: string[] = [];
      for (const [json, score] of pairs(flat)) {
        after = `(${score}`;
        if (!json.includes(this.viewerId)) continue;
        const m = JSON.parse(json) as Record<string, unknown>;
        if (m.userId !== this.viewerId) continue;
        mine.push(m);
        members.push(json);
      }
      if (remove && members.length) await this.redis.zrem(key, ...members);
    }
  }

  /** A JSON string value with every string equal to the viewer's id replaced by the pseudonym; null: unchanged. */
  rewrite(json: string): string | null {
    let changed = false;
    const walk = (v: unknown): unknown => {
      if (v === this.viewerId) {
        changed = true;
        return this.pseudonym;
      }
      if (Array.isArray(v)) return v.map(walk);
      if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
      return v;
    };
    const out = JSON.stringify(walk(JSON.parse(json)));
    return changed ? out : null;
  }

  /** A STRING of JSON rewritten in place (see rewrite). */
  async jsonString(key: string): Promise<boolean> {
    const raw = await this.redis.get(key);
    if (raw === null) return false;
    const next = this.rewrite(raw);
    if (next === null) return false;
    await this.redis.set(key, next, 'KEEPTTL');
    return true;
  }

  /** Hash values of JSON rewritten where they name the viewer (HSCAN in pages). */
  async jsonHashValues(key: string): Promise<string[]> {
    const touched: string[] = [];
    let cursor = '0';
    do {
      const [next, flat] = await this.redis.hscan(key, cursor, 'COUNT', 500);
      cursor = next;
      for (const [field, value] of pairs(flat)) {
        if (!value.includes(this.viewerId) || !value.startsWith('{')) continue;
        const out = this.rewrite(value);
        if (out === null) continue;
        await this.redis.hset(key, field, out);
        touched.push(field);
      }
    } while (cursor !== '0');
    return touched;
  }

  /**
   * Fields of a hash named `<viewerId><sep>...` (`at: 'start'`) or `...<sep><viewerId>` (`at: 'end'`):
   * dropped, or renamed to the pseudonym's.
   */
  async hashFieldsNaming(key: string, at: 'start' | 'end', sep: string, mode: 'drop' | 'rename'): Promise<void> {
    const V = this.viewerId;
    const pattern = at === 'start' ? `${globEscape(V + sep)}*` : `*${globEscape(sep + V)}`;
    let cursor = '0';
    do {
      const [next, flat] = await this.redis.hscan(key, cursor, 'MATCH', pattern, 'COUNT', 500);
      cursor = next;
      for (const [field, value] of pairs(flat)) {
        if (at === 'start' ? !field.startsWith(V + sep) : !field.endsWith(sep + V)) continue;
        if (mode === 'rename') {
          const renamed = at === 'start' ? this.pseudonym + field.slice(V.length) : field.slice(0, field.length - V.length) + this.pseudonym;
          await this.redis.hsetnx(key, renamed, value);
        }
        await this.redis.hdel(key, field);
      }
    } while (cursor !== '0');
  }

  /**
   * Hash values naming the viewer: equal to their id, or `<viewerId><sep>...` (a referral record's referrer):
   * the id in them becomes the pseudonym (HSCAN in pages: the values are not indexed).
   */
  async hashValuesNaming(key: string, sep: string): Promise<void> {
    const V = this.viewerId;
    let cursor = '0';
    do {
      const [next, flat] = await this.redis.hscan(key, cursor, 'COUNT', 500);
      cursor = next;
      for (const [field, value] of pairs(flat)) {
        if (value === V) await this.redis.hset(key, field, this.pseudonym);
        else if (value.startsWith(V + sep)) await this.redis.hset(key, field, this.pseudonym + value.slice(V.length));
      }
    } while (cursor !== '0');
  }

  /** Replaces one list item read at `index` (found again by value if pushes moved it): lists that may still grow. */
  replaceListItem(key: string, index: number, item: string, replacement: string): Promise<boolean> {
    return listReplace.run(this.redis, this.keys, { key, item, replacement, index });
  }

  /** List items equal to the viewer's id become the pseudonym. */
  async listItems(key: string): Promise<void> {
    const items = await this.redis.lrange(key, 0, -1);
    for (let i = 0; i < items.length; i++) if (items[i] === this.viewerId) await this.replaceListItem(key, i, this.viewerId, this.pseudonym);
  }

}

