import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ACTIVITY_METRICS, parseActivityRow, parseViewerActivity } from '../../core/src/activity/activity.metrics.js';
import { ENTRY_FIELDS, ENTRY_METRICS, entryOfActivity, packEntry, parseEntriesBefore, packEntryFields, packEntryRow, parseHistory } from '../../core/src/scoring/scoring.history.js';

// The rollup packs a viewer's history entry from the raw HMGET reply (no object per viewer); it must give the
// string packEntry gives from the parsed hash, or the merged histories (and the scores) would differ.
const raw = fc.oneof(
  fc.constant(null),
  fc.nat().map(String),
  fc.integer({ min: -5, max: 5 }).map(String),
  fc.double({ noNaN: false }).map(String),
  fc.bigInt({ min: 0n, max: 2n ** 64n }).map(String),
  fc.constantFrom('', 'abc', '1e21', '-0', 'Infinity', ' 7 ', '007', '999999999999999', '9999999999999999'),
);

describe('packEntryFields', () => {
  it('packs the raw fields exactly as packEntry packs the parsed activity', () => {
    fc.assert(
      fc.property(fc.array(raw, { minLength: ENTRY_METRICS.length, maxLength: ENTRY_METRICS.length }), fc.nat(), (values, startedAt) => {
        const hash: Record<string, string> = {};
        ENTRY_METRICS.forEach((m, i) => {
          if (values[i] !== null) hash[m] = values[i]!;
        });
        expect(packEntryFields('s1', startedAt, values)).toBe(packEntry('s1', startedAt, parseViewerActivity(hash)));
      }),
      { numRuns: 500 },
    );
  });
});

// activity-read-n.lua answers the fields joined by ',' ('0' where missing); a row of plain counters is used as it is
describe('packEntryRow', () => {
  it('packs a row exactly as packEntry packs the parsed activity', () => {
    fc.assert(
      fc.property(fc.array(raw, { minLength: ENTRY_METRICS.length, maxLength: ENTRY_METRICS.length }), fc.nat(), (values, startedAt) => {
        const hash: Record<string, string> = {};
        ENTRY_METRICS.forEach((m, i) => {
          if (values[i] !== null) hash[m] = values[i]!;
        });
        const row = values.map((v) => v ?? '0').join(',');
        expect(packEntryRow('s1', startedAt, row)).toBe(packEntry('s1', startedAt, parseViewerActivity(hash)));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('parseHistory', () => {
  it('reads every field of an entry in ENTRY_FIELDS order, a missing one as 0', () => {
    const values = ENTRY_FIELDS.map((_, i) => i + 1);
    const [entry] = parseHistory(`3;s1,${values.join(',')}`).entries;
    expect(Object.keys(entry!)).toEqual(['streamId', ...ENTRY_FIELDS]);
    ENTRY_FIELDS.forEach((f, i) => expect(entry![f as keyof typeof entry]).toBe(i + 1));
    const [short] = parseHistory('1;s2,5,6').entries;
    expect(short).toMatchObject({ streamId: 's2', startedAt: 5, watchMs: 6, referrals: 0 });
  });
});

// The summary builds a viewer's own entry from their parsed activity without packing it into a string first
describe('entryOfActivity', () => {
  it('gives the entry packEntry parses back to', () => {
    fc.assert(
      fc.property(fc.array(raw, { minLength: ENTRY_METRICS.length, maxLength: ENTRY_METRICS.length }), fc.integer({ min: -5, max: 2 ** 53 }), (values, startedAt) => {
        const hash: Record<string, string> = {};
        ENTRY_METRICS.forEach((m, i) => {
          if (values[i] !== null) hash[m] = values[i]!;
        });
        const a = parseViewerActivity(hash);
        expect(entryOfActivity('s1', startedAt, a)).toEqual(parseHistory(`0;${packEntry('s1', startedAt, a)}`).entries[0]);
      }),
      { numRuns: 1000 },
    );
  });
});

// activity-rows-n.lua answers each viewer's hash as HGETALL does, joined by ','; parsed, a row must be the
// activity parseViewerActivity makes of the hash (fields and values as the ledger writes them: no ',')
describe('parseActivityRow', () => {
  const field = fc.oneof(fc.constantFrom(...ACTIVITY_METRICS, 'firstAt', 'lastAt'), fc.string().filter((f) => !f.includes(',')));
  const value = raw.filter((v): v is string => v !== null && !v.includes(','));
  it('reads a row as parseViewerActivity reads the hash', () => {
    fc.assert(
      fc.property(fc.dictionary(field, value, { maxKeys: 20 }), (hash) => {
        expect(parseActivityRow(Object.entries(hash).flat().join(','))).toEqual(parseViewerActivity(hash));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('parseEntriesBefore', () => {
  it('gives the entries parseHistory gives of other streams that started before the time', () => {
    const id = fc.constantFrom('s1', 's2', 's', 's1x', '');
    const entry = fc.tuple(id, fc.integer({ min: 0, max: 20 }), fc.nat()).map(([s, at, w]) => `${s},${at},${w}`);
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 6 }), id, fc.integer({ min: 0, max: 21 }), (entries, streamId, before) => {
        const packed = `4;${entries.join(';')}`;
        expect(parseEntriesBefore(packed, streamId, before)).toEqual(parseHistory(packed).entries.filter((e) => e.streamId !== streamId && e.startedAt < before));
      }),
      { numRuns: 1000 },
    );
    expect(parseEntriesBefore(null, 's1', 5)).toEqual([]);
  });
});
