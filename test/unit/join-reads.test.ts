import { describe, expect, it } from 'vitest';
import { BatchedLookups, LOOKUP_BATCH_MAX, SharedReads } from '../../core/src/room/join-reads.js';
import { isShared } from '../../core/src/room/shared-values.js';

describe('shared join reads', () => {
  it('sends one read for every ask of the same key in one turn, after the last of them', async () => {
    const reads = new SharedReads();
    const log: string[] = [];
    const load = async () => {
      log.push('read');
      return { n: log.length };
    };
    const asks = [1, 2, 3].map((i) => {
      log.push(`ask ${i}`);
      return reads.read('s1\nchat', load);
    });
    expect(reads.queued).toBe(1);
    const got = await Promise.all(asks);
    // every ask came before the read was sent: each got a read at least as fresh as its own would have been
    expect(log).toEqual(['ask 1', 'ask 2', 'ask 3', 'read']);
    expect(got[0]).toBe(got[1]);
    expect(got[1]).toBe(got[2]);
    expect(reads.queued).toBe(0);
  });

  it('never joins a read already sent, and keeps keys apart', async () => {
    const reads = new SharedReads();
    let sent = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow = async () => {
      sent++;
      await gate;
      return sent;
    };
    const first = reads.read('k', slow);
    await new Promise((r) => setImmediate(r));
    expect(sent).toBe(1);
    // the first read is in flight: a new ask gets a read of its own
    const second = reads.read('k', slow);
    const other = reads.read('other', async () => 'other');
    await new Promise((r) => setImmediate(r));
    expect(sent).toBe(2);
    release();
    expect(await first).toBe(2);
    expect(await second).toBe(2);
    expect(await other).toBe('other');
  });

  it('hands a failed read to every ask of it', async () => {
    const reads = new SharedReads();
    const boom = () => Promise.reject(new Error('redis down'));
    const asks = [reads.read('k', boom), reads.read('k', boom)];
    for (const a of asks) await expect(a).rejects.toThrow('redis down');
  });

  it('marks what a shared read answers, and its direct parts, as shared', async () => {
    const reads = new SharedReads();
    const got = await reads.read('k', async () => ({ chat: [{ id: '1' }], pinned: { id: 'p' }, gap: false }));
    expect(isShared(got)).toBe(true);
    expect(isShared(got.chat)).toBe(true);
    expect(isShared(got.pinned)).toBe(true);
    // only the direct parts: deeper values are encoded with the part that holds them
    expect(isShared(got.chat[0])).toBe(false);
  });
});

describe('batched join lookups', () => {
  it('sends one lookup for every ask of the same key in one turn, after the last ask, and answers each its own', async () => {
    const lookups = new BatchedLookups();
    const log: string[] = [];
    const send = async (members: readonly string[]) => {
      log.push(`send ${members.join(',')}`);
      return members.map((m) => m === 'u2');
    };
    const asks = ['u1', 'u2', 'u3', 'u2'].map((u) => {
      log.push(`ask ${u}`);
      return lookups.lookup('s1\nbanned', u, send);
    });
    const other = lookups.lookup('s2\nbanned', 'u2', send);
    expect(lookups.queued).toBe(2);
    expect(await Promise.all(asks)).toEqual([false, true, false, true]);
    expect(await other).toBe(true);
    expect(log).toEqual(['ask u1', 'ask u2', 'ask u3', 'ask u2', 'send u1,u2,u3,u2', 'send u2']);
    expect(lookups.queued).toBe(0);
  });

  it('never adds an ask to a lookup already sent, and starts a new batch once one is full', async () => {
    const lookups = new BatchedLookups();
    const sent: number[] = [];
    const send = async (members: readonly string[]) => {
      sent.push(members.length);
      return members.map(() => 1);
    };
    const full = Array.from({ length: LOOKUP_BATCH_MAX + 1 }, (_, i) => lookups.lookup('k', `u${i}`, send));
    await Promise.all(full);
    expect(sent).toEqual([LOOKUP_BATCH_MAX, 1]);
    const late = lookups.lookup('k', 'late', send);
    expect(await late).toBe(1);
    expect(sent).toEqual([LOOKUP_BATCH_MAX, 1, 1]);
  });

  it('fails every ask of a failed lookup, and of one that answers the wrong number of members', async () => {
    const lookups = new BatchedLookups();
    const boom = () => Promise.reject(new Error('redis down'));
    const asks = [lookups.lookup('k', 'a', boom), lookups.lookup('k', 'b', boom)];
    for (const a of asks) await expect(a).rejects.toThrow('redis down');
    const short = async () => [true];
    const two = [lookups.lookup('j', 'a', short), lookups.lookup('j', 'b', short)];
    for (const a of two) await expect(a).rejects.toThrow('1 answers for 2 members');
  });
});
