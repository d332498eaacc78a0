import type { Keys } from '../redis/keys.js';

export const summaryKeys = (k: Keys, streamId: string) => ({
  /** STRING: the final summary (JSON), written once by the finalize job. */
  final: k.stream(streamId, 'summary', 'final'),
  /** SET: the stream's viewers as finalized (joined or attributed activity), for later streams' comparisons. */
  viewers: k.stream(streamId, 'summary', 'viewers'),
  /** STRING: the latest live summary (JSON), written by the node holding `liveLease`; expires. */
  live: k.stream(streamId, 'summary', 'live'),
  /** Lease: the one node that refreshes the live summary (core/src/redis/lease.ts). */
  liveLease: k.stream(streamId, 'summary', 'live', 'lease'),
});

/** Per brand: who attended and who bought before, so new/returning viewers and buyers are exact. */
export const brandSummaryKeys = (k: Keys, brandId: string) => ({
  /** ZSET viewerId -> start (ms) of the earliest stream of the brand the viewer attended. */
  firstSeen: k.brand(brandId, 'summary', 'firstSeen'),
  /** ZSET viewerId -> start (ms) of the earliest stream of the brand the viewer bought in. */
  firstBought: k.brand(brandId, 'summary', 'firstBought'),
  /** SET of ended streams whose viewers are in firstSeen / firstBought. */
  indexed: k.brand(brandId, 'summary', 'indexed'),
});
