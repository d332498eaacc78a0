import { once } from 'node:events';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ReadBudget } from '../../server/src/io/read-budget.js';

/** Turns of the event loop, counted by a chain of immediates (one per check phase) while the test runs. */
function turnCounter() {
  let turn = 0;
  let on = true;
  const tick = (): void => {
    turn++;
    if (on) setImmediate(tick);
  };
  setImmediate(tick);
  return {
    get now() {
      return turn;
    },
    stop: () => void (on = false),
  };
}

const closers: (() => void)[] = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

/** A clock that moves only when told: each read the test records costs 1 ms of it. */
function readClock() {
  let ms = 0;
  return { now: () => ms, tick: () => void ms++ };
}

/** A TCP server on loopback whose accepted sockets the budget tracks, and `n` clients connected to it. */
async function pairs(budget: ReadBudget | undefined, n: number) {
  const accepted: Socket[] = [];
  let allAccepted!: () => void;
  const ready = new Promise<void>((resolve) => (allAccepted = resolve));
  const server: Server = createServer((socket) => {
    budget?.track(socket);
    accepted.push(socket);
    if (accepted.length === n) allAccepted();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const clients = await Promise.all(
    Array.from({ length: n }, async () => {
      const c = connect(port, '127.0.0.1');
      await once(c, 'connect');
      return c;
    }),
  );
  await ready;
  closers.push(() => {
    for (const c of clients) c.destroy();
    server.close();
  });
  return { accepted, clients };
}

/** Every byte each server socket receives, and in which turn each read came. */
function record(accepted: Socket[], turns: { now: number }, clock?: { tick(): void }) {
  const received = accepted.map(() => [] as Buffer[]);
  const readTurns: number[] = [];
  accepted.forEach((socket, i) =>
    socket.on('data', (chunk: Buffer) => {
      received[i]!.push(chunk);
      readTurns.push(turns.now);
      clock?.tick();
    }),
  );
  const bytes = (i: number): string => Buffer.concat(received[i]!).toString();
  return { readTurns, bytes };
}

function readsPerTurn(readTurns: number[]): number[] {
  const counts = new Map<number, number>();
  for (const t of readTurns) counts.set(t, (counts.get(t) ?? 0) + 1);
  return [...counts.values()];
}

describe('read budget', () => {
  it('reads a burst of sockets that all sent at once over several turns, reading no longer than the budget in each', async () => {
    const clock = readClock();
    const budget = new ReadBudget(8, { now: clock.now });
    const { accepted, clients } = await pairs(budget, 60);
    const turns = turnCounter();
    const { readTurns, bytes } = record(accepted, turns, clock);
    const done = Promise.all(accepted.map((s) => new Promise((resolve) => s.on('data', resolve))));
    clients.forEach((c, i) => c.write(`claim-${i}`));
    await done;
    turns.stop();

    expect(readTurns).toHaveLength(60);
    const perTurn = readsPerTurn(readTurns);
    // a read that starts within the budget finishes: 8 ms of reads, and the one that found it spent
    expect(Math.max(...perTurn)).toBeLessThanOrEqual(9);
    expect(perTurn.length).toBeGreaterThanOrEqual(60 / 9);
    accepted.forEach((_, i) => expect(bytes(i)).toBe(`claim-${i}`));
    expect(budget.pauses).toBeGreaterThan(0);
    expect(budget.waiting()).toBe(0);
  });

  it('without a budget the same burst is read in one turn (what the budget is for)', async () => {
    const { accepted, clients } = await pairs(undefined, 60);
    const turns = turnCounter();
    const { readTurns } = record(accepted, turns);
    const done = Promise.all(accepted.map((s) => new Promise((resolve) => s.on('data', resolve))));
    clients.forEach((c, i) => c.write(`claim-${i}`));
    await done;
    turns.stop();
    expect(readsPerTurn(readTurns)).toEqual([60]);
  });

  it('loses no byte and keeps each socket in order while it waits, and hands the end of a closed one through', async () => {
    const clock = readClock();
    const budget = new ReadBudget(3, { now: clock.now });
    const { accepted, clients } = await pairs(budget, 20);
    const turns = turnCounter();
    const { bytes } = record(accepted, turns, clock);
    const ended = Promise.all(accepted.map((s) => once(s, 'end')));
    const big = (i: number): string => `${i}:`.padEnd(200_000, String.fromCharCode(97 + (i % 26)));
    for (let k = 0; k < 3; k++) clients.forEach((c, i) => c.write(`${k}|${big(i)}|`));
    for (const c of clients) c.end();
    await ended;
    turns.stop();
    accepted.forEach((_, i) => expect(bytes(i)).toBe([0, 1, 2].map((k) => `${k}|${big(i)}|`).join('')));
    expect(budget.pauses).toBeGreaterThan(0);
    expect(budget.waiting()).toBe(0);
  });

  it('never pauses a turn whose reads stay within the budget', async () => {
    const clock = readClock();
    const budget = new ReadBudget(100, { now: clock.now });
    const { accepted, clients } = await pairs(budget, 60);
    const turns = turnCounter();
    const { readTurns } = record(accepted, turns, clock);
    const done = Promise.all(accepted.map((s) => new Promise((resolve) => s.on('data', resolve))));
    clients.forEach((c, i) => c.write(`tap-${i}`));
    await done;
    turns.stop();
    expect(readsPerTurn(readTurns)).toEqual([60]);
    expect(budget.pauses).toBe(0);
  });

  it('refuses a budget that is not a positive number of milliseconds', () => {
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => new ReadBudget(bad)).toThrow(/positive number of milliseconds/);
  });
});
