import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError, clip, describeZodError, toAckError } from '../../core/src/errors.js';

describe('describeZodError', () => {
  it('names the first three issues and counts the rest', () => {
    const schema = z.object({ a: z.string(), b: z.string(), c: z.string(), d: z.string(), e: z.string() });
    const res = schema.safeParse({});
    expect(res.success).toBe(false);
    const text = describeZodError(res.error!);
    expect(text.split('; ')).toHaveLength(4);
    expect(text).toMatch(/^a: .*; b: .*; c: .*; and 2 more$/);
  });

  it('clips one huge issue: 16,000 unknown keys in a strict object', () => {
    const res = z.object({ streamId: z.string() }).strict().safeParse({ streamId: 's', ...Object.fromEntries(Array.from({ length: 16_000 }, (_, i) => [String(i), 1])) });
    expect(describeZodError(res.error!).length).toBeLessThanOrEqual(120);
  });

  it('clips a path made of a huge key', () => {
    const res = z.record(z.string(), z.number()).safeParse({ ['k'.repeat(50_000)]: 'x' });
    expect(describeZodError(res.error!).length).toBeLessThanOrEqual(120);
  });
});

describe('toAckError', () => {
  it('clips an AppError message that carries caller text', () => {
    const { error } = toAckError(new AppError('not_found', `no stream ${'x'.repeat(5000)}`));
    expect(error.message.length).toBeLessThanOrEqual(300);
  });
});

describe('AppError', () => {
  it('is built without a stack trace (a refusal is an answer), and leaves the limit of other errors as it was', () => {
    const limit = Error.stackTraceLimit;
    const err = new AppError('sold_out', 'no coupons left', { reason: 'x' });
    expect(err).toBeInstanceOf(AppError);
    expect(err).toBeInstanceOf(Error);
    expect({ code: err.code, message: err.message, name: err.name, details: err.details }).toEqual({ code: 'sold_out', message: 'no coupons left', name: 'AppError', details: { reason: 'x' } });
    expect(err.stack?.split('\n')).toHaveLength(1);
    expect(Error.stackTraceLimit).toBe(limit);
    expect(new Error('a fault').stack?.split('\n').length).toBeGreaterThan(1);
  });
});

describe('clip', () => {
  it('never cuts a surrogate pair in half', () => {
    const s = `${'a'.repeat(8)}😀😀`;
    for (let max = 1; max < s.length; max++) {
      const out = clip(s, max);
      expect(out.length).toBeLessThanOrEqual(max);
      expect(out).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    }
  });
});
