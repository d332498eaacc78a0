import type { ChainableCommander } from 'ioredis';
import type { RedisClient } from '../redis/client.js';
import type { Keys } from '../redis/keys.js';
import { pointsKeys } from './points.keys.js';
import { pointsGrant, pointsGrantBatch, type BatchGrant, type GrantArgs } from './points.scripts.js';

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

  /** Runs the grant script; see points-grant-3.lua. Returns the points credited. */
  grant(g: GrantArgs): Promise<number> {
    return pointsGrant.run(this.redis, this.keys, g);
  }

  /** One grant for many viewers (points-grant-batch-n.lua), queued on a pipeline; its reply comes with exec(). */
  queueGrantBatch(pipeline: ChainableCommander, g: BatchGrant): void {
    pointsGrantBatch.queue(pipeline, this.keys, g);
  }

  /** Unexpired lots, soonest expiry first. */
  async lots(brandId: string, viewerId: string, now: number): Promise<PointLot[]> {
    return unexpiredLots(await this.redis.hgetall(pointsKeys(this.keys, brandId, viewerId).lots), now);
  }
}

/** The unexpired lots of a viewer's lots hash (expiry day -> points), soonest expiry first. */
export function unexpiredLots(h: Readonly<Record<string, string>>, now: number): PointLot[] {
  return Object.entries(h)
    .map(([day, points]) => ({ points: Number(points), expiresAt: (Number(day) + 1) * DAY_MS }))
    .filter((l) => l.expiresAt > now && l.points > 0)
    .sort((a, b) => a.expiresAt - b.expiresAt);
}
