/**
 * What the presence feature exposes to others (summary, lottery and coupon eligibility).
 * CONTRACT: implemented in presence.store.ts by the presence feature.
 *
 *   watchSeconds(redis, keys, streamId, viewerId): Promise<number>   // credited watch time in this stream
 *   presenceSummary(redis, keys, streamId): Promise<PresenceSummary>
 */
export interface PresenceSummary {
  /** Distinct viewers who joined (any socket) the stream. */
  uniqueViewers: number;
  /** Most concurrent viewers (distinct viewers seen in a 45 s window), and when. */
  peakConcurrent: number;
  peakAt: number | null;
  /** Per minute (epoch minute = floor(ms / 60000)): distinct viewers seen in that minute. */
  viewersTimeline: { minute: number; viewers: number }[];
}
