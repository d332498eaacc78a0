export interface BackoffOptions {
  /** The shortest wait before a reconnect attempt. Default 500 ms. */
  minDelayMs?: number;
  /** The longest wait. Default 20 s. */
  maxDelayMs?: number;
  /**
   * After the server said it is draining (`session:ended { reason: 'server_draining' }`, a node stopping in a
   * rolling restart), the first reconnect waits a random point between `minDelayMs` and `minDelayMs +
   * drainSpreadMs`, so the node's clients arrive at the other nodes spread over that window instead of in one
   * join storm. Default 5 s.
   */
  drainSpreadMs?: number;
}

export const DEFAULT_BACKOFF = { minDelayMs: 500, maxDelayMs: 20_000, drainSpreadMs: 5_000 } as const;

/** The wait before reconnecting after a node said it is draining: uniform over the drain window. */
export function drainDelay(options: BackoffOptions = {}, random: () => number = Math.random): number {
  const min = options.minDelayMs ?? DEFAULT_BACKOFF.minDelayMs;
  const spread = Math.max(0, options.drainSpreadMs ?? DEFAULT_BACKOFF.drainSpreadMs);
  return Math.round(min + random() * spread);
}

/**
 * The wait before reconnect attempt `attempt` (0 for the first): a random point between the minimum and
 * an exponentially growing ceiling (min * 2^attempt, capped at max). The randomness spreads the clients
 * of a node that went away, so they do not all come back in the same instant.
 */
export function backoffDelay(attempt: number, options: BackoffOptions = {}, random: () => number = Math.random): number {
  const min = options.minDelayMs ?? DEFAULT_BACKOFF.minDelayMs;
  const max = Math.max(min, options.maxDelayMs ?? DEFAULT_BACKOFF.maxDelayMs);
  const ceiling = Math.min(max, min * 2 ** Math.min(Math.max(0, attempt), 30));
  return Math.round(min + random() * (ceiling - min));
}
