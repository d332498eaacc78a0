import { describe, expect, it } from 'vitest';
import { byType, streamMoments, watchBucket, type MomentInput, type StreamInput, type ViewerInput } from '../../core/src/mechanics/mechanics.compute.js';
import { bitmapMinutes } from '../../core/src/mechanics/mechanics.reader.js';

const START = 29_000_000; // an absolute minute
const MS = (minuteIndex: number, sec = 0) => (START + minuteIndex) * 60_000 + sec * 1000;
const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

function viewer(minutes: number[], segment = 'none', orders: { at: number; streamId: string | null }[] = []): ViewerInput {
  return { minutes: new Set(minutes), segment, orders };
}

function moment(m: Partial<MomentInput> & Pick<MomentInput, 'id' | 'type' | 'at'>): MomentInput {
  return { label: m.id, touched: new Set(), couponDiscountCents: null, pointsGranted: null, ...m };
}

describe('watch-time-so-far buckets', () => {
  it('puts 0, 1-4, 5-14, 15-29 and 30+ minutes in buckets 0 to 4', () => {
    expect([0, 1, 4, 5, 14, 15, 29, 30, 300].map(watchBucket)).toEqual([0, 1, 1, 2, 2, 3, 3, 4, 4]);
  });
});

describe('presence bitmaps', () => {
  it('reads Redis bit order (bit 0 = the high bit of the first byte)', () => {
    expect([...bitmapMinutes(Buffer.from([0b1000_0001, 0b0100_0000]))]).toEqual([0, 7, 9]);
    expect(bitmapMinutes(null).size).toBe(0);
  });
});

describe('one moment', () => {
  // a 20-minute stream (indexes 0..19), a drop at minute 6
  const base = (): StreamInput => ({
    streamId: 's1',
    startMinute: START,
    lastIndex: 19,
    timeline: {
      [`chat:${START + 1}`]: 4, // before window: minutes 1..5
      [`chat:${START + 5}`]: 6,
      [`chat:${START + 6}`]: 20, // after window: 6..10
      [`chat:${START + 10}`]: 5,
      [`chat:${START + 11}`]: 100, // outside both
      [`couponClaims:${START + 6}`]: 3,
      [`clicks:${START + 4}`]: 2,
      [`orders:${START + 8}`]: 1,
    },
    viewers: new Map([
      // touched: a and b (segment none, 6 minutes so far: bucket 2), c (segment loyal, 0 minutes so far)
      ['a', viewer(range(0, 19), 'none', [{ at: MS(8), streamId: 's1' }])],
      ['b', viewer(range(0, 8), 'none')], // claimed at 6, last seen 8: gone within 2 minutes
      ['c', viewer([6, 7, 8, 9, 10, 11], 'loyal')],
      // controls: d, e (none, bucket 2), f (loyal, bucket 1: no match for c), g (engaged: no touched)
      ['d', viewer(range(0, 16), 'none', [{ at: MS(2), streamId: 's1' }, { at: MS(9), streamId: 's1' }])],
      ['e', viewer(range(1, 6), 'none')],
      ['f', viewer([5, 6], 'loyal')],
      ['g', viewer(range(0, 19), 'engaged')],
      // not present at the moment's minute
      ['h', viewer([0, 1], 'none')],
    ]),
    nextStreamViewers: new Set(['a', 'd', 'g']),
    moments: [
      moment({
        id: 'drop-1',
        type: 'drop',
        at: MS(6, 30),
        touched: new Set(['a', 'b', 'c']),
        claims: new Map([
          ['a', MS(6, 40)],
          ['b', MS(6, 45)],
          ['c', MS(17, 0)], // too close to the end to tell
        ]),
        couponDiscountCents: 1250,
      }),
    ],
  });

  it('counts presence, retention and the activity windows', () => {
    const [r] = streamMoments(base());
    const f = r!.figures;
    expect(f.presentAtMoment).toBe(7);
    // +5 = minute 11: a, c, d, g; +10 = minute 16: a, d, g
    expect([f.stillPresent5, f.stillPresent10, f.retention5, f.retention10]).toEqual([4, 3, 0.57, 0.43]);
    expect(f.window).toEqual({
      minutesBefore: 5,
      minutesAfter: 5,
      chatBefore: 10,
      chatAfter: 25,
      claimsBefore: 0,
      claimsAfter: 3,
      clicksBefore: 2,
      clicksAfter: 0,
      ordersBefore: 0,
      ordersAfter: 1,
      chatPerMinuteBefore: 2,
      chatPerMinuteAfter: 5,
    });
  });

  it('compares the touched with non-participants present at the moment, matched on segment and watch bucket', () => {
    const f = streamMoments(base())[0]!.figures;
    // stratum none|2: touched a, b; controls d, e. c (loyal|0) has no control (f is loyal|1).
    expect(f.touched).toBe(3);
    expect(f.comparison.touchedMatched).toBe(2);
    expect(f.comparison.controls).toBe(2);
    // watch minutes after minute 6: a 13, b 2 -> 7.5; d 10, e 0 -> 5
    expect(f.comparison.watchMinutesAfter).toEqual({ touched: 7.5, control: 5 });
    // next stream: a yes, b no -> 0.5; d yes, e no -> 0.5
    expect(f.comparison.returnedNextStream).toEqual({ touched: 0.5, control: 0.5 });
    // orders in s1 at or after the moment: a 1, b 0; d 1 (the one at minute 9), e 0
    expect(f.comparison.ordersAfter).toEqual({ touched: 0.5, control: 0.5 });
  });

  it('counts claim-and-leave among claimers with 3 minutes of stream after their claim, and the cost per new buyer', () => {
    const f = streamMoments(base())[0]!.figures;
    expect(f.claimAndLeave).toEqual({ claimers: 2, left: 1, rate: 0.5 });
    // a's first order with the brand came after the drop: one new buyer
    expect(f.cost).toEqual({ couponDiscount: 12.5, pointsGranted: null, newBuyers: 1, couponDiscountPerNewBuyer: 12.5, pointsPerNewBuyer: null });
  });

  it('leaves out figures the stream cannot tell: no next stream, retention past the end', () => {
    const s = { ...base(), lastIndex: 12, nextStreamViewers: null };
    const f = streamMoments(s)[0]!.figures;
    expect(f.stillPresent10).toBeNull();
    expect(f.retention10).toBeNull();
    expect(f.comparison.returnedNextStream).toBeNull();
    expect(f.window.minutesAfter).toBe(5);
  });

  it('weights a stratum\'s control mean by its touched viewers', () => {
    const s: StreamInput = {
      streamId: 's1',
      startMinute: START,
      lastIndex: 10,
      timeline: {},
      nextStreamViewers: null,
      viewers: new Map([
        ['t1', viewer(range(0, 10), 'none')], // stratum none|1 (2 minutes so far), 8 after
        ['t2', viewer(range(0, 10), 'none')],
        ['c1', viewer(range(0, 4), 'none')], // 2 after
        ['t3', viewer(range(2, 10), 'loyal')], // stratum loyal|0, 8 after
        ['c2', viewer(range(2, 6), 'loyal')], // 4 after
        ['c3', viewer(range(2, 4), 'loyal')], // 2 after
      ]),
      moments: [moment({ id: 'q', type: 'quiz', at: MS(2), touched: new Set(['t1', 't2', 't3']), pointsGranted: 30 })],
    };
    const f = streamMoments(s)[0]!.figures;
    expect(f.comparison.touchedMatched).toBe(3);
    expect(f.comparison.controls).toBe(3);
    // control: (2 x 2 + 1 x 3) / 3 = 2.33
    expect(f.comparison.watchMinutesAfter).toEqual({ touched: 8, control: 2.33 });
    expect(f.claimAndLeave).toBeNull();
    expect(f.cost).toMatchObject({ couponDiscount: null, pointsGranted: 30, newBuyers: 0, pointsPerNewBuyer: null });
  });
});

describe('per mechanic type', () => {
  it('pools moments exactly and says how many moments are behind each figure', () => {
    const viewers = new Map([
      ['a', viewer(range(0, 30), 'none', [{ at: MS(3), streamId: 's1' }])],
      ['b', viewer(range(0, 30), 'none')],
      ['c', viewer(range(0, 3), 'none')],
    ]);
    const s: StreamInput = {
      streamId: 's1',
      startMinute: START,
      lastIndex: 30,
      timeline: { [`chat:${START + 2}`]: 10, [`chat:${START + 21}`]: 6 },
      viewers,
      nextStreamViewers: null,
      moments: [
        moment({ id: 'p1', type: 'product', at: MS(2), touched: new Set(['a']) }),
        moment({ id: 'p2', type: 'product', at: MS(25), touched: new Set(['b']) }),
        moment({ id: 'l1', type: 'lottery', at: MS(1), touched: new Set(['a', 'b']), pointsGranted: 0 }),
      ],
    };
    const results = streamMoments(s);
    expect(results.map((r) => r.figures.id)).toEqual(['l1', 'p1', 'p2']);
    const types = byType(results);
    expect(types.map((t) => t.type)).toEqual(['lottery', 'product']);
    const product = types.find((t) => t.type === 'product')!;
    expect(product.moments).toBe(2);
    expect(product.presentAtMoment).toBe(5); // 3 at minute 2, 2 at minute 25
    // retention +5: p1 2 of 3 (minute 7: a, b), p2 2 of 2 (minute 30); +10: only p1 (minute 35 is past the end)
    expect(product.retention5).toEqual({ value: 0.8, moments: 2 });
    expect(product.retention10).toEqual({ value: 0.67, moments: 1 });
    // chat: p1 before 0 over 2 minutes (0..1), after 10 over 5 (2..6); p2 before 6 over 5 (20..24), after 0 over 5
    expect(product.perMinute.chatBefore).toBe(0.86);
    expect(product.perMinute.chatAfter).toBe(1);
    // p1: a (touched) vs b, c; p2: b vs a
    expect(product.touched).toBe(2);
    expect(product.touchedMatched).toBe(2);
    expect(product.controls).toBe(3);
    expect(product.returnedNextStream).toEqual({ touched: null, control: null, moments: 0 });
    // p1 watch after minute 2: a 28, controls b 28, c 1 -> 14.5; p2 after 25: b 5, a 5
    expect(product.watchMinutesAfter).toEqual({ touched: 16.5, control: 9.75, moments: 2 });
    expect(product.claimAndLeave).toBeNull();
    expect(product.cost).toEqual({
      couponDiscount: { value: null, moments: 0 },
      pointsGranted: { value: null, moments: 0 },
      newBuyers: 1,
      couponDiscountPerNewBuyer: null,
      pointsPerNewBuyer: null,
    });
    const lottery = types.find((t) => t.type === 'lottery')!;
    expect(lottery.cost.pointsGranted).toEqual({ value: 0, moments: 1 });
    expect(lottery.cost.newBuyers).toBe(1);
    expect(lottery.cost.pointsPerNewBuyer).toBe(0);
  });
});
