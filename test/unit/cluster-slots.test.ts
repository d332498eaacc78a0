import calculateSlot from 'cluster-key-slot';
import { beforeAll, describe, expect, it } from 'vitest';
import { codeIndexKey } from '../../core/src/coupons/coupons.keys.js';
import { orderIndexKey } from '../../core/src/orders/orders.keys.js';
import { lastJoinKey } from '../../core/src/products/products.keys.js';
import { eventGate } from '../../core/src/redis/event-gate.js';
import { Keys } from '../../core/src/redis/keys.js';
import { definedScripts, scriptDefs } from '../../core/src/redis/scripts.js';
import { hashTag } from '../../core/src/redis/slot-batch.js';
import { anyArgs, importEveryScript } from '../helpers/script-args.js';

const keys = new Keys('sr:');
const STREAM = 'stream-1';

beforeAll(importEveryScript);

describe('Redis Cluster slots', () => {
  it('every Lua script file has a typed wrapper', () => {
    const wrapped = new Set(definedScripts().map((s) => s.name));
    expect(scriptDefs().map((d) => d.name).filter((n) => !wrapped.has(n))).toEqual([]);
  });

  it('every script is called with keys of one slot (and its gated variant with the gate in that slot)', () => {
    const spread: string[] = [];
    for (const script of definedScripts()) {
      const ks = script.keysOf(keys, anyArgs(keys, STREAM) as never);
      expect(ks.length, script.name).toBeGreaterThan(0);
      const slots = new Set(ks.map((k) => calculateSlot(k)));
      if (slots.size !== 1) spread.push(`${script.name}: ${ks.join(' ')}`);
      // a script over a stream's keys may run gated: the gate's key joins the call
      if (hashTag(ks[0]!) === `s:${STREAM}` && calculateSlot(eventGate(keys, 10, STREAM, 'u').key) !== calculateSlot(ks[0]!)) spread.push(`${script.name}Gated`);
    }
    expect(spread).toEqual([]);
  });

  it('global lookups (coupon codes, orders, last joins) spread over the slots', () => {
    for (const lookup of [(i: number) => codeIndexKey(keys, `CODE${i}`), (i: number) => orderIndexKey(keys, `order-${i}`), (i: number) => lastJoinKey(keys, `viewer-${i}`)]) {
      const slots = new Set(Array.from({ length: 200 }, (_, i) => calculateSlot(lookup(i))));
      expect(slots.size).toBeGreaterThan(150);
    }
  });

  it('the job queue keys share one slot', () => {
    const prefix = keys.bullPrefix;
    const slots = new Set(['wait', 'active', 'delayed', 'id', 'meta', 'events', 'job-1'].map((k) => calculateSlot(`${prefix}:stickyroom:${k}`)));
    expect(slots.size).toBe(1);
  });
});
