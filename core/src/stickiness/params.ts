import type { Config } from '../config.js';
import { DEFAULT_WEIGHTS, SCORE_INPUTS, type ScoreInput } from './inputs.js';

const DAY_MS = 86_400_000;

/** Everything the formula and the segments depend on besides the history itself. */
export interface ScoringParams {
  weights: Readonly<Record<ScoreInput, number>>;
  /** Decay: a stream's points halve every halfLifeMs before the viewer's latest stream; the score halves every halfLifeMs after it. */
  halfLifeMs: number;
  /** Engagement points at which the score is 50 (100 * (1 - 2^(-points / halfPoints))). */
  halfPoints: number;
  /** Score (as of the latest stream) from which a viewer is engaged, and loyal (with loyalStreams streams). */
  engagedAt: number;
  loyalAt: number;
  loyalStreams: number;
  /** Engaged or loyal viewers with no stream for this long are at-risk; anyone this long away is dormant. */
  atRiskMs: number;
  dormantMs: number;
}

export const DEFAULT_PARAMS: ScoringParams = {
  weights: DEFAULT_WEIGHTS,
  halfLifeMs: 30 * DAY_MS,
  halfPoints: 150,
  engagedAt: 30,
  loyalAt: 60,
  loyalStreams: 3,
  atRiskMs: 21 * DAY_MS,
  dormantMs: 60 * DAY_MS,
};

/** Parses `name=points,name=points` weight overrides; an unknown name or a negative weight is refused. */
export function parseWeights(spec: string): Record<ScoreInput, number> {
  const weights = { ...DEFAULT_WEIGHTS };
  for (const part of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^([A-Za-z]+)\s*=\s*(\d+(?:\.\d+)?)$/.exec(part);
    if (!m || !(SCORE_INPUTS as readonly string[]).includes(m[1]!)) {
      throw new Error(`SCORE_WEIGHTS: "${part}" is not <input>=<points> with input one of ${SCORE_INPUTS.join(', ')}`);
    }
    weights[m[1] as ScoreInput] = Number(m[2]);
  }
  return weights;
}

export function scoringParams(config: Pick<Config, 'SCORE_HALF_LIFE_DAYS' | 'SCORE_WEIGHTS' | 'SCORE_HALF_POINTS' | 'SEGMENT_AT_RISK_DAYS' | 'SEGMENT_DORMANT_DAYS'>): ScoringParams {
  return {
    ...DEFAULT_PARAMS,
    weights: parseWeights(config.SCORE_WEIGHTS),
    halfLifeMs: config.SCORE_HALF_LIFE_DAYS * DAY_MS,
    halfPoints: config.SCORE_HALF_POINTS,
    atRiskMs: config.SEGMENT_AT_RISK_DAYS * DAY_MS,
    dormantMs: config.SEGMENT_DORMANT_DAYS * DAY_MS,
  };
}
