import { describe, expect, it } from 'vitest';
import { SharedReads } from '../../core/src/room/join-reads.js';

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
});
