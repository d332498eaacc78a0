import type { Reward, RedemptionRecord, RewardCreate, RewardPatch } from '@stickyroom/sdk/protocol';
import type { RedisClient } from '../redis/client.js';
import type { Keys } from '../redis/keys.js';
import { brandPointsKeys, pointsKeys, rewardKeys } from './points.keys.js';
import { pointsRedeem, raffleTicket, type RedeemArgs, type RedeemReply } from './points.scripts.js';

/** A reward's HASH as the API shows it; null for a missing or archived one. */
function parseReward(h: Record<string, string>): (Reward & { archived: boolean }) | null {
  if (!h.id) return null;
  const r: Reward & { archived: boolean } = {
    id: h.id,
    brandId: h.brandId ?? '',
    title: h.title ?? '',
    kind: h.kind as Reward['kind'],
    cost: Number(h.cost),
    stock: Math.max(0, Number(h.stock)),
    redeemed: Number(h.redeemed ?? 0),
    active: h.active === '1',
    createdAt: Number(h.createdAt),
    archived: h.archived === '1',
  };
  if (h.perViewer) r.perViewer = Number(h.perViewer);
  if (h.minTier) r.minTier = h.minTier;
  return r;
}

const strip = ({ archived: _, ...r }: Reward & { archived: boolean }): Reward => r;

/** The brand's catalog of rewards and its redemptions: the only code touching those keys. */
export class RewardsStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
  ) {}

  async create(brandId: string, id: string, body: RewardCreate, now: number): Promise<Reward> {
    const fields: Record<string, string | number> = {
      id,
      brandId,
      title: body.title,
      kind: body.kind,
      cost: body.cost,
      stock: body.stock,
      redeemed: 0,
      active: 1,
      createdAt: now,
    };
    if (body.perViewer !== undefined) fields.perViewer = body.perViewer;
    if (body.minTier !== undefined) fields.minTier = body.minTier;
    await this.redis
      .multi()
      .hset(rewardKeys(this.keys, brandId, id).meta, fields)
      .zadd(brandPointsKeys(this.keys, brandId).rewards, now, id)
      .exec();
    return (await this.get(brandId, id))!;
  }

  async get(brandId: string, id: string): Promise<Reward | null> {
    const r = parseReward(await this.redis.hgetall(rewardKeys(this.keys, brandId, id).meta));
    return r && !r.archived ? strip(r) : null;
  }

  /** The brand's rewards, oldest first (archived ones left out). */
  async list(brandId: string): Promise<Reward[]> {
    const ids = await this.redis.zrange(brandPointsKeys(this.keys, brandId).rewards, 0, -1);
    if (ids.length === 0) return [];
    const p = this.redis.pipeline();
    for (const id of ids) p.hgetall(rewardKeys(this.keys, brandId, id).meta);
    const res = (await p.exec()) ?? [];
    return res.flatMap(([, h]) => {
      const r = parseReward((h ?? {}) as Record<string, string>);
      return r && !r.archived ? [strip(r)] : [];
    });
  }

  /** Changes a reward's fields; false when it does not exist. Stock set here is the units left. */
  async patch(brandId: string, id: string, patch: RewardPatch): Promise<boolean> {
    const key = rewardKeys(this.keys, brandId, id).meta;
    const fields: Record<string, string | number> = {};
    if (patch.active !== undefined) fields.active = patch.active ? 1 : 0;
    if (patch.stock !== undefined) fields.stock = patch.stock;
    if (patch.title !== undefined) fields.title = patch.title;
    if (patch.cost !== undefined) fields.cost = patch.cost;
    // only an existing, unarchived reward is changed (a script-free check: WATCH would cost as much)
    const r = parseReward(await this.redis.hgetall(key));
    if (!r || r.archived) return false;
    await this.redis.hset(key, fields);
    return true;
  }

  /** Archives a reward: out of the catalog, not redeemable; its redemptions keep naming it. */
  async archive(brandId: string, id: string): Promise<boolean> {
    const key = rewardKeys(this.keys, brandId, id).meta;
    const r = parseReward(await this.redis.hgetall(key));
    if (!r || r.archived) return false;
    await this.redis.multi().hset(key, { active: 0, archived: 1 }).zrem(brandPointsKeys(this.keys, brandId).rewards, id).exec();
    return true;
  }

  redeem(a: RedeemArgs): Promise<RedeemReply> {
    return pointsRedeem.run(this.redis, this.keys, a);
  }

  /** The viewer's redemptions with the brand, newest first. */
  async viewerRedemptions(brandId: string, viewerId: string, limit = 50): Promise<RedemptionRecord[]> {
    const ids = await this.redis.lrange(pointsKeys(this.keys, brandId, viewerId).redemptions, 0, limit - 1);
    return this.records(brandId, ids);
  }

  /** The brand's redemptions made in [from, to], oldest first. */
  async redemptionsBetween(brandId: string, from: number, to: number): Promise<RedemptionRecord[]> {
    const ids = await this.redis.zrangebyscore(brandPointsKeys(this.keys, brandId).redemptionsByTime, from, to);
    return this.records(brandId, ids);
  }

  private async records(brandId: string, ids: readonly string[]): Promise<RedemptionRecord[]> {
    if (ids.length === 0) return [];
    const raw = await this.redis.hmget(brandPointsKeys(this.keys, brandId).redemptions, ...ids);
    return raw.flatMap((r) => (r ? [JSON.parse(r) as RedemptionRecord] : []));
  }

  /** Spends (`use`) or gives back (`refund`) the viewer's raffle ticket on one lottery; see raffle-ticket-2.lua. */
  raffleTicket(brandId: string, viewerId: string, lotteryId: string, now: number, mode: 'use' | 'refund'): Promise<boolean> {
    return raffleTicket.run(this.redis, this.keys, { brandId, viewerId, lotteryId, now, mode });
  }

  /** Raffle tickets the viewer holds with the brand. */
  async raffleTickets(brandId: string, viewerId: string): Promise<number> {
    return Number((await this.redis.hget(brandPointsKeys(this.keys, brandId).raffleTickets, viewerId)) ?? 0);
  }

  /** The brand's points ledger (economy HASH): field -> points. */
  async ledger(brandId: string): Promise<Record<string, number>> {
    const h = await this.redis.hgetall(brandPointsKeys(this.keys, brandId).economy);
    return Object.fromEntries(Object.entries(h).map(([f, v]) => [f, Number(v)]));
  }

  /** Viewers who first held points with the brand before `before`, with that moment; at most `limit`, earliest first. */
  async holders(brandId: string, before: number, limit: number): Promise<{ viewerId: string; since: number }[]> {
    const raw = await this.redis.zrangebyscore(brandPointsKeys(this.keys, brandId).holders, '-inf', `(${before}`, 'WITHSCORES', 'LIMIT', 0, limit);
    const out: { viewerId: string; since: number }[] = [];
    for (let i = 0; i + 1 < raw.length; i += 2) out.push({ viewerId: raw[i]!, since: Number(raw[i + 1]) });
    return out;
  }

  /** How many redemptions each viewer ever made with the brand. */
  async redemptionCounts(brandId: string, viewerIds: readonly string[]): Promise<number[]> {
    if (viewerIds.length === 0) return [];
    const p = this.redis.pipeline();
    for (const v of viewerIds) p.llen(pointsKeys(this.keys, brandId, v).redemptions);
    return ((await p.exec()) ?? []).map(([, n]) => Number(n ?? 0));
  }
}
