import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { commitmentOf, deriveWinners, entrantLines, entrantsHashOf, sha256Hex, verifyDraw, type DrawEntry } from '@stickyroom/sdk';

const SEED = '5f1c0a2e9b7d4c3e8a6f2b1d0c9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e';
const ENTRIES: DrawEntry[] = [
  { id: 'carol', nonce: '00112233445566778899aabbccddeeff' },
  { id: 'alice' },
  { id: 'bob', nonce: 'ffeeddccbbaa99887766554433221100' },
  { id: 'dave' },
  { id: 'erin' },
];

async function announced(seed = SEED, entries: readonly (DrawEntry | string)[] = ENTRIES, count = 2) {
  const { winners, entrantsHash } = await deriveWinners(seed, entries, count);
  return { commitment: await commitmentOf(seed), seed, winnerCount: count, winners, entrantsHash, entries };
}

describe('commitment and hashes', () => {
  it('uses standard SHA-256 over the text, as sha256sum would', async () => {
    expect(await sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(await commitmentOf('abc')).toBe(await sha256Hex('abc'));
  });
  it('hashes the entrant list sorted by id, one `id` or `id nonce` line each', async () => {
    expect(entrantLines(ENTRIES)).toBe(
      'alice\nbob ffeeddccbbaa99887766554433221100\ncarol 00112233445566778899aabbccddeeff\ndave\nerin',
    );
    expect(await entrantsHashOf([...ENTRIES].reverse())).toBe(await entrantsHashOf(ENTRIES));
  });
});

describe('winner derivation', () => {
  it('gives the same winners for the same seed and list, whatever order the list comes in', async () => {
    const a = await deriveWinners(SEED, ENTRIES, 3);
    const b = await deriveWinners(SEED, [...ENTRIES].reverse(), 3);
    expect(a).toEqual(b);
    expect(new Set(a.winners).size).toBe(3);
  });
  it('matches the published known-answer vector (docs/protocol.md), so other implementations can check themselves', async () => {
    const { winners, entrantsHash } = await deriveWinners(SEED, ENTRIES, 2);
    expect(entrantsHash).toBe(KNOWN.entrantsHash);
    expect(winners).toEqual(KNOWN.winners);
  });
  it('lets everyone win when there are fewer entrants than prizes', async () => {
    const { winners } = await deriveWinners(SEED, ['x', 'y'], 5);
    expect([...winners].sort()).toEqual(['x', 'y']);
  });
  it('gives no winners for an empty list', async () => {
    expect((await deriveWinners(SEED, [], 3)).winners).toEqual([]);
  });
  it('refuses a list with the same entrant twice', async () => {
    await expect(deriveWinners(SEED, ['x', 'x'], 1)).rejects.toThrow(/twice/);
  });
});

describe('verifyDraw', () => {
  it('accepts an honest draw', async () => {
    const res = await verifyDraw(await announced());
    expect(res).toMatchObject({ valid: true, commitmentMatches: true, entrantsHashMatches: true, winnersMatch: true });
  });
  it('rejects a seed that does not match the commitment published at start', async () => {
    const honest = await announced();
    const other = await announced(SEED.replace(/^5/, '6'));
    const res = await verifyDraw({ ...other, commitment: honest.commitment });
    expect(res.valid).toBe(false);
    expect(res.commitmentMatches).toBe(false);
  });
  it('rejects an entrant list with one fake entry added', async () => {
    const honest = await announced();
    const res = await verifyDraw({ ...honest, entries: [...ENTRIES, { id: 'mallory' }] });
    expect(res.valid).toBe(false);
    expect(res.entrantsHashMatches).toBe(false);
  });
  it('rejects an entrant whose nonce was changed', async () => {
    const honest = await announced();
    const res = await verifyDraw({ ...honest, entries: ENTRIES.map((e) => (e.id === 'bob' ? { id: 'bob', nonce: '0'.repeat(32) } : e)) });
    expect(res.valid).toBe(false);
  });
  it('rejects announced winners that the seed does not give', async () => {
    const honest = await announced();
    const loser = ENTRIES.map((e) => e.id).find((id) => !honest.winners.includes(id))!;
    const res = await verifyDraw({ ...honest, winners: [honest.winners[0]!, loser] });
    expect(res).toMatchObject({ valid: false, commitmentMatches: true, winnersMatch: false });
  });
  it('rejects fewer winners than the lottery promised', async () => {
    const honest = await announced();
    expect((await verifyDraw({ ...honest, winners: honest.winners.slice(0, 1) })).valid).toBe(false);
  });
  it('reports malformed input instead of throwing', async () => {
    const res = await verifyDraw({ ...(await announced()), seed: 'NOT HEX' });
    expect(res.valid).toBe(false);
    expect(res.error).toMatch(/hex/);
  });
});

describe('uniformity', () => {
  // Deterministic: a fixed list of 2,000 seeds (sha256 of "seed-<i>"), so the statistic is the same on
  // every run. Chi-square with 9 degrees of freedom; 27.88 is the critical value at p = 0.001.
  const CRITICAL_DF9_P001 = 27.877;
  const entrants = Array.from({ length: 10 }, (_, i) => `viewer-${i}`);

  async function chiSquare(winnersPerDraw: number): Promise<number> {
    const wins = new Map(entrants.map((e) => [e, 0]));
    const draws = 2000;
    for (let i = 0; i < draws; i++) {
      const seed = await sha256Hex(`seed-${i}`);
      for (const w of (await deriveWinners(seed, entrants, winnersPerDraw)).winners) wins.set(w, wins.get(w)! + 1);
    }
    const expected = (draws * winnersPerDraw) / entrants.length;
    return [...wins.values()].reduce((sum, observed) => sum + (observed - expected) ** 2 / expected, 0);
  }

  it('makes each of 10 entrants win a single prize at the same rate over 2,000 seeds', async () => {
    expect(await chiSquare(1)).toBeLessThan(CRITICAL_DF9_P001);
  });
  it('keeps the rate uniform with 3 prizes per draw', async () => {
    expect(await chiSquare(3)).toBeLessThan(CRITICAL_DF9_P001);
  });
});

/** Computed once from the reference implementation; a change here changes every past verification. */
const KNOWN = {
  entrantsHash: '4ac20ea52cac7465a04264f0500e2a1898a133afdc680e83f1ef40bf09e1ac54',
  winners: ['erin', 'dave'],
};

describe('winner derivation, for any entrant list', () => {
  const idArb = fc.stringMatching(/^[A-Za-z0-9_.:-]{1,12}$/);
  const entriesArb = fc.uniqueArray(
    fc.record({ id: idArb, nonce: fc.option(fc.stringMatching(/^[0-9a-f]{16}$/), { nil: undefined }) }),
    { selector: (e) => e.id, maxLength: 30 },
  );
  const seedArb = fc.stringMatching(/^[0-9a-f]{64}$/);

  it('picks min(prizes, entrants) distinct entrants, whatever order the list arrives in, and verifies', async () => {
    await fc.assert(
      fc.asyncProperty(seedArb, entriesArb, fc.integer({ min: 1, max: 40 }), async (seed, raw, count) => {
        const entries = raw.map((e) => (e.nonce ? { id: e.id, nonce: e.nonce } : { id: e.id }));
        const { winners, entrantsHash } = await deriveWinners(seed, entries, count);
        expect(winners).toHaveLength(Math.min(count, entries.length));
        expect(new Set(winners).size).toBe(winners.length);
        for (const w of winners) expect(entries.some((e) => e.id === w)).toBe(true);
        expect((await deriveWinners(seed, [...entries].reverse(), count)).winners).toEqual(winners);
        const check = await verifyDraw({ commitment: await commitmentOf(seed), seed, winnerCount: count, winners, entrantsHash, entries });
        expect(check.valid).toBe(true);
      }),
      { numRuns: 150, seed: 424242 },
    );
  });
});
