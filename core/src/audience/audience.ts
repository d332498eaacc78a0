import { SEGMENTS, type Audience, type Segment } from '@stickyroom/sdk/protocol';
import { staffRoom } from '../pusher.js';

/** Where a viewer stands with a brand for one stream: what a targeted item's audience is matched against. */
export interface Standing {
  /** The viewer's stickiness segment when the stream started (`new` for a viewer never rated). */
  segment: Segment;
  /** The viewer's loyalty tier (POINTS_TIERS) when read. */
  tier: string;
}

export type Eligibility = { ok: true } | { ok: false; message: string };

/**
 * Whether a viewer of this standing may see and act on an item for `audience` (none: everyone). With both
 * filters a viewer must match both. Pure: the same check decides the join ack, the pushes and the refusal.
 *
 * @example isEligible({ segments: ['at-risk', 'dormant'] }, { segment: 'loyal', tier: 'gold' })
 *   // { ok: false, message: 'for at-risk, dormant viewers; you are loyal' }
 */
export function isEligible(audience: Audience | undefined, standing: Standing): Eligibility {
  if (!audience) return { ok: true };
  const misses: string[] = [];
  if (audience.segments && !audience.segments.includes(standing.segment)) {
    misses.push(`for ${audience.segments.join(', ')} viewers; you are ${standing.segment}`);
  }
  if (audience.tiers && !audience.tiers.includes(standing.tier)) {
    misses.push(`for tier ${audience.tiers.join(', ')}; you are ${standing.tier}`);
  }
  return misses.length === 0 ? { ok: true } : { ok: false, message: misses.join('; ') };
}

/**
 * The Socket.IO room of a stream's viewers of one standing: a viewer joins exactly one at `room:join`
 * (docs/protocol.md, Targeting). A targeted push goes to the rooms of every standing its audience admits,
 * and to the stream's staff.
 */
export const audienceRoom = (streamId: string, s: Standing): string => `aud:${streamId}:${s.segment}:${s.tier}`;

/** The rooms a push for `audience` goes to: every admitted (segment, tier) pair, and the stream's staff. */
export function audienceRooms(streamId: string, audience: Audience, tiers: readonly string[]): string[] {
  const segments = audience.segments ?? SEGMENTS;
  const admitted = audience.tiers ? tiers.filter((t) => audience.tiers!.includes(t)) : tiers;
  const rooms = [staffRoom(streamId)];
  for (const segment of segments) for (const tier of admitted) rooms.push(audienceRoom(streamId, { segment, tier }));
  return rooms;
}

/** Every audience room of a stream (a ban takes the user's sockets out of all of them). */
export const allAudienceRooms = (streamId: string, tiers: readonly string[]): string[] =>
  SEGMENTS.flatMap((segment) => tiers.map((tier) => audienceRoom(streamId, { segment, tier })));

/** Stored form of an audience in an item's hash (JSON), and back; '' or a bad value reads as none. */
export const packAudience = (a: Audience | undefined): string => (a ? JSON.stringify(a) : '');
export function parseAudience(raw: string | null | undefined): Audience | undefined {
  if (!raw) return undefined;
  try {
    const a = JSON.parse(raw) as Audience;
    return a && (a.segments || a.tiers) ? a : undefined;
  } catch {
    return undefined;
  }
}
