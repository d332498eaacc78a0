import { describe, expect, it } from 'vitest';
import { AudienceSchema } from '@stickyroom/sdk/protocol';
import { audienceRoom, audienceRooms, isEligible, packAudience, parseAudience } from '../../core/src/audience/audience.js';

const TIERS = ['bronze', 'silver', 'gold'];

describe('audience (targeted drops, lotteries, polls)', () => {
  it('admits everyone without an audience, and a viewer matching every filter given', () => {
    expect(isEligible(undefined, { segment: 'casual', tier: 'bronze' })).toEqual({ ok: true });
    expect(isEligible({ segments: ['at-risk', 'dormant'] }, { segment: 'dormant', tier: 'gold' })).toEqual({ ok: true });
    expect(isEligible({ tiers: ['gold'] }, { segment: 'new', tier: 'gold' })).toEqual({ ok: true });
    expect(isEligible({ segments: ['loyal'], tiers: ['gold'] }, { segment: 'loyal', tier: 'gold' })).toEqual({ ok: true });
  });

  it('refuses with a message naming the audience and the viewer standing', () => {
    expect(isEligible({ segments: ['at-risk', 'dormant'] }, { segment: 'loyal', tier: 'gold' })).toEqual({
      ok: false,
      message: 'for at-risk, dormant viewers; you are loyal',
    });
    expect(isEligible({ segments: ['loyal'], tiers: ['gold'] }, { segment: 'loyal', tier: 'silver' })).toEqual({ ok: false, message: 'for tier gold; you are silver' });
  });

  it('pushes to exactly the rooms of the admitted standings and the staff', () => {
    const rooms = audienceRooms('s1', { segments: ['dormant'], tiers: ['gold', 'platinum'] }, TIERS);
    expect(rooms).toEqual(['staff:s1', 'aud:s1:dormant:gold']);
    const all = audienceRooms('s1', { tiers: ['silver'] }, TIERS);
    expect(all).toHaveLength(1 + 6);
    // every viewer's room is in the list exactly when they are eligible
    for (const segment of ['new', 'casual', 'engaged', 'loyal', 'at-risk', 'dormant'] as const) {
      for (const tier of TIERS) {
        const audience = { segments: ['at-risk', 'dormant'] as const, tiers: ['silver', 'gold'] };
        const a = { segments: [...audience.segments], tiers: audience.tiers };
        expect(audienceRooms('s1', a, TIERS).includes(audienceRoom('s1', { segment, tier })), `${segment}/${tier}`).toBe(isEligible(a, { segment, tier }).ok);
      }
    }
  });

  it('validates an audience on the wire and stores it as it came', () => {
    expect(AudienceSchema.safeParse({}).success).toBe(false);
    expect(AudienceSchema.safeParse({ segments: [] }).success).toBe(false);
    expect(AudienceSchema.safeParse({ segments: ['vip'] }).success).toBe(false);
    expect(AudienceSchema.safeParse({ segments: ['loyal'], extra: 1 }).success).toBe(false);
    const a = AudienceSchema.parse({ segments: ['loyal'], tiers: ['gold'] });
    expect(parseAudience(packAudience(a))).toEqual(a);
    expect(parseAudience('')).toBeUndefined();
    expect(parseAudience('not json')).toBeUndefined();
  });
});
