import type { Redis } from 'ioredis';
import type { Keys } from '../redis/keys.js';
import { runScript } from '../redis/scripts.js';
import { pointsKeys } from './points.keys.js';

const DAY_MS = 86_400_000;

export interface PointLot {
  points: number;
  /** When these points expire (the end of a UTC day). */
  expiresAt: number;
}

export class PointsStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {}

  /** Runs the grant script; see points-grant-3.lua. Returns the points credited. */
  async grant(g: {
    brandId: string;
    viewerId: string;
    grantId: string;
    mode: 'add' | 'topup';
    points: number;
    cappedStreamId: string;
    streamCap: number;
    now: number;
    expireDays: number;
  }): Promise<number> {
    const k = pointsKeys(this.keys, g.brandId, g.viewerId);
    return runScript<number>(this.redis, 'pointsGrant', [k.lots, k.grants, k.streams], [
      g.grantId,
      g.mode,
      g.points,
      g.cappedStreamId,
      g.streamCap,
      g.now,
      g.expireDays,
    ]);
  }

  /** Unexpired lots, soonest expiry first. */
  async lots(brandId: string, viewerId: string, now: number): Promise<PointLot[]> {
    const h = await this.redis.hgetall(pointsKeys(this.keys, brandId, viewerId).lots);
    return Object.entries(h)
      .map(([day, points]) => ({ points: Number(points), expiresAt: (Number(day) + 1) * DAY_MS }))
      .filter((l) => l.expiresAt > now && l.points > 0)
      .sort((a, b) => a.expiresAt - b.expiresAt);
  }
}
