import { setImmediate as turn } from 'node:timers/promises';
import { Adapter } from 'socket.io-adapter';
import { describe, expect, it } from 'vitest';
import { chunkedDelivery } from '../../server/src/io/chunked-delivery.js';
import { phaseMarker, phaseOf } from '../../server/src/io/phases.js';

/** An in-memory adapter over fake sockets that record the packets written to them. */
function room(n: number, chunk: number) {
  const written = new Map<string, string[]>();
  const sockets = new Map<string, unknown>();
  const nsp = { name: '/', sockets, server: { encoder: { encode: (p: { data: unknown[] }) => [JSON.stringify(p.data)] } } };
  const adapter = chunkedDelivery(new Adapter(nsp as never), chunk) as Adapter & { localBacklog(): number };
  for (let i = 0; i < n; i++) {
    const id = `s${i}`;
    written.set(id, []);
    sockets.set(id, { id, client: { writeToEngine: (packets: string[]) => written.get(id)!.push(...packets) }, leave: (r: string) => adapter.del(id, r) });
    adapter.addAll(id, new Set([id, 'r']));
  }
  const broadcast = (event: string, rooms = ['r'], except: string[] = []) =>
    adapter.broadcast({ type: 2, data: [event], nsp: '/' } as never, { rooms: new Set(rooms), except: new Set(except) });
  const got = (id: string) => written.get(id)!.map((p) => (JSON.parse(p) as string[])[0]);
  const connect = (id: string) => {
    written.set(id, []);
    sockets.set(id, { id, client: { writeToEngine: (packets: string[]) => written.get(id)!.push(...packets) } });
    adapter.addAll(id, new Set([id, 'r']));
  };
  const disconnect = (id: string) => {
    adapter.delAll(id);
    sockets.delete(id);
  };
  return { adapter, broadcast, got, written, connect, disconnect };
}

describe('chunked local delivery of broadcasts', () => {
  it('writes a small broadcast at once', () => {
    const { adapter, broadcast, got } = room(3, 10);
    broadcast('a');
    expect(['s0', 's1', 's2'].map(got)).toEqual([['a'], ['a'], ['a']]);
    expect(adapter.localBacklog()).toBe(0);
  });

  it('writes a big one a chunk per turn of the loop, from the turn that made it, every socket getting the broadcasts in the order they were made', async () => {
    const { adapter, broadcast, got } = room(5, 2);
    broadcast('a');
    broadcast('b', ['s4']); // small, but queued behind 'a'
    await Promise.resolve();
    expect(['s0', 's1', 's2', 's3', 's4'].map(got)).toEqual([[], [], [], [], []]);
    expect(adapter.localBacklog()).toBe(6);
    await turn();
    expect(['s0', 's1', 's2', 's3', 's4'].map(got)).toEqual([['a'], ['a'], [], [], []]);
    await turn();
    expect(['s2', 's3', 's4'].map(got)).toEqual([['a'], ['a'], []]);
    await turn();
    expect(got('s4')).toEqual(['a', 'b']);
    expect(adapter.localBacklog()).toBe(0);
    // the queue empty again: a small broadcast goes at once
    broadcast('c', ['s0']);
    expect(got('s0')).toEqual(['a', 'c']);
  });

  it('joins a broadcast to the same sockets onto the last one queued, before or after its first chunk', async () => {
    const { adapter, broadcast, got } = room(5, 2);
    broadcast('a');
    broadcast('b'); // the same room: one delivery, both packets per socket
    expect(adapter.localBacklog()).toBe(5);
    await turn();
    expect(['s0', 's1', 's2'].map(got)).toEqual([['a', 'b'], ['a', 'b'], []]);
    broadcast('c'); // s0 and s1 had their chunk: they get 'c' after the rest
    expect(adapter.localBacklog()).toBe(5);
    while (adapter.localBacklog() > 0) await turn();
    expect(['s0', 's1', 's2', 's3', 's4'].map(got)).toEqual(Array.from({ length: 5 }, () => ['a', 'b', 'c']));
  });

  it('never joins a broadcast onto one that another queued broadcast stands between, or that went to other sockets', async () => {
    const { adapter, broadcast, got } = room(6, 2);
    adapter.delSockets({ rooms: new Set(['s5']) }, ['r']);
    broadcast('a');
    broadcast('to-s4', ['s4']);
    broadcast('b'); // the same sockets as 'a', but 'to-s4' is queued between them
    adapter.addAll('s5', new Set(['r']));
    broadcast('c'); // the room has one more socket than when 'b' was made
    while (adapter.localBacklog() > 0) await turn();
    expect(got('s4')).toEqual(['a', 'to-s4', 'b', 'c']);
    expect(got('s0')).toEqual(['a', 'b', 'c']);
    expect(got('s5')).toEqual(['c']);
  });

  it("leaves out the sockets of the broadcast's except rooms, small or chunked (a sold_out ack's told sockets)", async () => {
    const { adapter, broadcast, got } = room(5, 2);
    for (const id of ['s1', 's4']) adapter.addAll(id, new Set(['told:d']));
    broadcast('small', ['s0', 's1'], ['told:d']);
    broadcast('big', ['r'], ['told:d']);
    await turn();
    await turn();
    expect(['s0', 's1', 's2', 's3', 's4'].map(got)).toEqual([['small', 'big'], [], ['big'], ['big'], []]);
  });

  it('skips a socket that left the rooms before its chunk came, and leaves joins and leaves synchronous', async () => {
    const { adapter, broadcast, got } = room(4, 2);
    broadcast('a');
    await turn();
    adapter.delSockets({ rooms: new Set(['s3']) }, ['r']);
    expect(adapter.rooms.get('r')?.has('s3')).toBe(false);
    await turn();
    expect(['s0', 's1', 's2', 's3'].map(got)).toEqual([['a'], ['a'], ['a'], []]);
  });

  it("sends a phase's broadcast to exactly the phase's sockets of the room as it is now, through joins, leaves and disconnects", () => {
    const { adapter, broadcast, got, connect, disconnect } = room(40, 100);
    const ids = () => [...adapter.rooms.get('r')!];
    const toPhase = (event: string, phase: number) => broadcast(event, ['r', phaseMarker(phase, 4)]);
    const expectRound = (event: string) => {
      for (let p = 0; p < 4; p++) toPhase(event, p);
      for (const id of ids()) expect(got(id).filter((e) => e === event), id).toEqual([event]);
    };
    expectRound('a');
    expect(new Set(ids().map((id) => phaseOf(id, 4))).size).toBe(4); // every phase had sockets
    connect('late');
    expectRound('b');
    expect(got('late')).toEqual(['b']);
    adapter.delSockets({ rooms: new Set(['s0']) }, ['r']);
    expectRound('c');
    expect(got('s0')).toEqual(['a', 'b']);
    disconnect('s1');
    expectRound('d');
    expect(got('s1')).toEqual(['a', 'b', 'c']);
    // another phase count for the same room, then back again
    for (let p = 0; p < 3; p++) broadcast('three', ['r', phaseMarker(p, 3)]);
    expectRound('four');
    for (const id of ids()) expect(got(id).slice(-2)).toEqual(['three', 'four']);
    // a phase broadcast with an except room is filtered as before
    adapter.addAll('s2', new Set(['told']));
    broadcast('e', ['r', phaseMarker(phaseOf('s2', 4), 4)], ['told']);
    expect(got('s2')).not.toContain('e');
  });
});
