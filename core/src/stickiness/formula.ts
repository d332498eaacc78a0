import { PER_STREAM_INPUTS, type ScoreInput, type StreamEngagement } from './inputs.js';
import type { ScoringParams } from './params.js';

/** A viewer's standing with a brand, as of the start of their latest stream with it (`asOf`). */
export interface Rating {
  /** 0-100 as of `asOf`; what a reader sees later is `scoreAt(rating, now)`. */
  score: number;
  asOf: number;
  /** Decayed engagement points behind the score. */
  points: number;
  /** Streams of the brand attended (all time). */
  streams: number;
  /** Streams in which the viewer ordered (all time). */
  buyerStreams: number;
}

/** The inputs counted per stream, listed once (the rollup rates 100,000 histories in a run). */
const PER_STREAM = Object.entries(PER_STREAM_INPUTS) as [ScoreInput, { metric: keyof StreamEngagement; unit: number }][];

/** Points one stream earns, with diminishing returns inside the stream, and what each input gave. */
export function streamPoints(e: StreamEngagement, p: ScoringParams): { total: number; byInput: Partial<Record<ScoreInput, number>> } {
  const byInput: Partial<Record<ScoreInput, number>> = {};
  return { total: streamTotal(e, p, byInput), byInput };
}

/**
 * The total of `streamPoints`, the one copy of the sum (same terms, same order, so the same bits); `byInput`,
 * when given, receives each input's points. `rate` calls it without, building no object per stream.
 */
function streamTotal(e: StreamEngagement, p: ScoringParams, byInput?: Partial<Record<ScoreInput, number>>): number {
  let total = 0;
  for (const [input, { metric, unit }] of PER_STREAM) {
    const amount = Math.max(0, Number(e[metric]) || 0);
    if (amount === 0) continue;
    const pts = p.weights[input] * Math.log2(1 + amount / unit);
    if (byInput) byInput[input] = pts;
    total += pts;
  }
  if (byInput) byInput.attendance = p.weights.attendance;
  total += p.weights.attendance;
  if ((e.orders ?? 0) > 0) {
    if (byInput) byInput.buyerStreams = p.weights.buyerStreams;
    total += p.weights.buyerStreams;
  }
  return total;
}

/** 2^(-ageMs / halfLife): how much something `ageMs` old still counts. */
export function decay(ageMs: number, halfLifeMs: number): number {
  return Math.pow(2, -Math.max(0, ageMs) / halfLifeMs);
}

/**
 * The score of a history: a pure function of the viewer's absolute per-stream activity, evaluated as of
 * the start of their latest stream, so it does not move with the clock or with how often it is computed.
 * Returns null for an empty history (never rated).
 */
export function rate(history: readonly StreamEngagement[], p: ScoringParams): Rating | null {
  if (history.length === 0) return null;
  let asOf = -Infinity;
  for (const e of history) asOf = Math.max(asOf, e.startedAt);
  // Sum in a fixed order (by start, then id): floating-point addition is not associative, and the same
  // history must give the same bits however its entries arrived.
  const ordered = history.length === 1 ? history : [...history].sort((a, b) => a.startedAt - b.startedAt || (a.streamId < b.streamId ? -1 : a.streamId > b.streamId ? 1 : 0));
  let points = 0;
  let buyerStreams = 0;
  for (const e of ordered) {
    points += decay(asOf - e.startedAt, p.halfLifeMs) * streamTotal(e, p);
    if ((e.orders ?? 0) > 0) buyerStreams++;
  }
  const score = 100 * (1 - Math.pow(2, -points / p.halfPoints));
  return { score, asOf, points, streams: history.length, buyerStreams };
}

/** The score a reader sees at `now`: it halves every half-life since the viewer's latest stream. */
export function scoreAt(r: Pick<Rating, 'score' | 'asOf'>, now: number, p: ScoringParams): number {
  return r.score * decay(now - r.asOf, p.halfLifeMs);
}

/**
 * A leaderboard key that orders viewers as `scoreAt` does at any read time, without rewriting anyone:
 * log2(scoreAt(r, now)) = log2(score) + asOf / halfLife - now / halfLife, and the last term is shared.
 */
export function boardKey(r: Pick<Rating, 'score' | 'asOf'>, p: ScoringParams): number {
  return Math.log2(Math.max(r.score, 1e-9)) + r.asOf / p.halfLifeMs;
}
