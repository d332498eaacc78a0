import type { ChainableCommander } from 'ioredis';
import type { RedisClient } from '../redis/client.js';
import type { Keys } from '../redis/keys.js';
import { pointsKeys } from './points.keys.js';
import { pointsGrant, pointsGrantBatch, pointsLotsRead, type BatchGrant, type GrantArgs } from './points.scripts.js';

const DAY_MS = 86_400_000;

export interface PointLot {
  points: number;
  /** When these points expire (the end of a UTC day). */
  expiresAt: number;
}

export class PointsStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
  ) {}

  /** Runs the grant script; see points-grant-6.lua. Returns the points credited. */
  grant(g: GrantArgs): Promise<number> {
    return pointsGrant.run(this.redis, this.keys, g);
  }

  /** One grant for many viewers (points-grant-batch-n.lua), queued on a pipeline; its reply comes with exec(). */
  queueGrantBatch(pipeline: ChainableCommander, g: BatchGrant): void {
    pointsGrantBatch.queue(pipeline, this.keys, g);
  }

  /** Unexpired lots, soonest expiry first (the lots of both layouts, see points.keys.ts). */
  async lots(brandId: string, viewerId: string, now: number): Promise<PointLot[]> {
    const [lots] = await pointsLotsRead.run(this.redis, this.keys, { brandId, viewerIds: [viewerId] });
    return unexpiredLots(lots ?? {}, now);
  }
}

/** The unexpired lots of a viewer's lots hash (expiry day -> points), soonest expiry first. */
export function unexpiredLots(h: Readonly<Record<string, string>>, now: number): PointLot[] {
  return Object.entries(h)
    .map(([day, points]) => ({ points: Number(points), expiresAt: (Number(day) + 1) * DAY_MS }))
    .filter((l) => l.expiresAt > now && l.points > 0)
    .sort((a, b) => a.expiresAt - b.expiresAt);
}

export interface ViewerPoints {
  /** Expiry day -> points (expired lots not yet dropped included). */
  lots: Record<string, number>;
  /** Grant id -> points it credited. */
  grants: Record<string, number>;
  /** Stream id -> capped points earned in it. */
  streams: Record<string, number>;
}

const FIELD_OF: Record<string, keyof ViewerPoints> = { 'l:': 'lots', 'g:': 'grants', 's:': 'streams' };

/**
 * Everything a viewer's points with a brand hold, by kind (the viewer's data export): the hash's fields and
 * whatever the older layout still holds (not folded in yet), added up.
 */
export async function viewerPoints(redis: RedisClient, keys: Keys, brandId: string, viewerId: string): Promise<ViewerPoints> {
  const p = pointsKeys(keys, brandId, viewerId);
  const [hash, lots, grants, streams] = await Promise.all([redis.hgetall(p.points), redis.hgetall(p.old.lots), redis.hgetall(p.old.grants), redis.hgetall(p.old.streams)]);
  const out: ViewerPoints = { lots: {}, grants: {}, streams: {} };
  const add = (kind: keyof ViewerPoints, field: string, value: string) => {
    out[kind][field] = (out[kind][field] ?? 0) + Number(value);
  };
  for (const [field, value] of Object.entries(hash)) {
    const kind = FIELD_OF[field.slice(0, 2)];
    if (kind) add(kind, field.slice(2), value);
  }
  for (const [field, value] of Object.entries(lots)) add('lots', field, value);
  for (const [field, value] of Object.entries(grants)) add('grants', field, value);
  for (const [field, value] of Object.entries(streams)) add('streams', field, value);
  return out;
}

/** Every key holding a viewer's points with a brand, both layouts (the redemptions list apart): an erasure deletes them. */
export function viewerPointsKeys(keys: Keys, brandId: string, viewerId: string): string[] {
  const p = pointsKeys(keys, brandId, viewerId);
  return [p.points, p.old.lots, p.old.grants, p.old.streams];
}
