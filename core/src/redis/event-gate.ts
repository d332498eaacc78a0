import { AppError } from '../errors.js';
import type { Keys } from './keys.js';

/**
 * A user's event rate across nodes, counted inside a script the event runs anyway (no extra round trip):
 * a script wrapper's `run(..., gate)` calls the script's gated variant (redis/scripts/event-gate.prelude.lua).
 */
export interface EventGate {
  /** The user's counter in the stream's slot, so a multi-key script stays valid on Redis Cluster. */
  key: string;
  /** Events allowed per second. */
  limit: number;
}

export const eventGateKey = (k: Keys, streamId: string, userId: string): string => k.stream(streamId, 'rate', userId);

export function eventGate(k: Keys, limit: number, streamId: string, userId: string): EventGate {
  return { key: eventGateKey(k, streamId, userId), limit };
}

/** The prelude's refusal as `rate_limited`; undefined for any other error. */
export function gateRefusal(err: unknown): AppError | undefined {
  if (!(err instanceof Error)) return undefined;
  const m = /^RATE_LIMITED (\d+)/.exec(err.message);
  if (!m) return undefined;
  return new AppError('rate_limited', 'too many events from this user', { retryAfterMs: Number(m[1]) });
}

/** The gate of a user's events in one stream, at `EVENT_RATE_LIMIT` per second. */
export function userGate(ctx: { keys: Keys; config: { EVENT_RATE_LIMIT: number } }, streamId: string, userId: string): EventGate {
  return eventGate(ctx.keys, ctx.config.EVENT_RATE_LIMIT, streamId, userId);
}
