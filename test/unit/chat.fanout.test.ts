import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ChatMessage } from '@stickyroom/sdk';
import type { Pusher } from '../../core/src/pusher.js';
import { phaseOf } from '../../server/src/io/phases.js';
import { BACKLOG_RECHECK_MS, BACKLOG_WAIT_MAX_MS, CHAT_SOCKETS_PER_STEP, CHAT_TICK_MAX_MS, ChatFanout, chatTickFor, MAX_BATCH } from '../../core/src/chat/chat.fanout.js';

/** Records what would reach each room. */
function recorder(audience: Record<string, number> = {}, backlog = { writes: 0 }) {
  const frames: { room: string; event: string; payload: any }[] = [];
  const broadcast: Pusher = {
    toStream: (room) => ({ emit: (event, payload) => void frames.push({ room, event, payload }) }),
    toUser: () => ({ emit: () => {} }),
    toStaff: () => ({ emit: () => {} }),
    toRooms: () => ({ emit: () => {} }),
    localAudience: (streamId) => audience[streamId] ?? 0,
    localBacklog: () => backlog.writes,
    leaveStream: () => {},
  };
  return { frames, broadcast };
}

const msg = (streamId: string, id: number): ChatMessage => ({ id: String(id), streamId, userId: 'u', name: 'u', text: `t${id}`, at: id });

afterEach(() => {
  vi.useRealTimers();
});

describe('chat fan-out ticks', () => {
  it('sends one batch per stream per tick, in order', () => {
    vi.useFakeTimers();
    const { frames, broadcast } = recorder();
    const fanout = new ChatFanout(broadcast, 50);
    fanout.push(msg('a', 1));
    fanout.push(msg('b', 1));
    fanout.push(msg('a', 2));
    expect(frames).toEqual([]);
    vi.advanceTimersByTime(50);
    expect(frames).toEqual([
      { room: 'a', event: 'chat:batch', payload: { streamId: 'a', messages: [msg('a', 1), msg('a', 2)] } },
      { room: 'b', event: 'chat:batch', payload: { streamId: 'b', messages: [msg('b', 1)] } },
    ]);
    vi.advanceTimersByTime(500);
    expect(frames).toHaveLength(2);
  });

  it('splits a huge tick into frames of at most MAX_BATCH messages', () => {
    const { frames, broadcast } = recorder();
    const fanout = new ChatFanout(broadcast, 50);
    for (let i = 1; i <= MAX_BATCH + 1; i++) fanout.push(msg('a', i));
    fanout.flush();
    expect(frames.map((f) => f.payload.messages.length)).toEqual([MAX_BATCH, 1]);
  });

  it('sends each message alone with tick 0', () => {
    const { frames, broadcast } = recorder();
    const fanout = new ChatFanout(broadcast, 0);
    fanout.push(msg('a', 1));
    expect(frames).toEqual([{ room: 'a', event: 'chat:message', payload: msg('a', 1) }]);
  });

  it('flushes what waits when the node shuts down', () => {
    const { frames, broadcast } = recorder();
    const fanout = new ChatFanout(broadcast, 200);
    fanout.push(msg('a', 1));
    fanout.close();
    expect(frames).toEqual([{ room: 'a', event: 'chat:batch', payload: { streamId: 'a', messages: [msg('a', 1)] } }]);
    fanout.push(msg('a', 2));
    expect(frames[1]).toEqual({ room: 'a', event: 'chat:message', payload: msg('a', 2) });
  });

  it('gives a room with many sockets on this node a longer tick, up to the cap', () => {
    expect(chatTickFor(50, 0)).toBe(50);
    expect(chatTickFor(50, CHAT_SOCKETS_PER_STEP)).toBe(50);
    expect(chatTickFor(50, CHAT_SOCKETS_PER_STEP + 1)).toBe(100);
    expect(chatTickFor(50, CHAT_SOCKETS_PER_STEP * 100)).toBe(CHAT_TICK_MAX_MS);
    // a configured tick longer than the cap is kept
    expect(chatTickFor(200, CHAT_SOCKETS_PER_STEP * 100)).toBe(Math.max(200, CHAT_TICK_MAX_MS));

    vi.useFakeTimers();
    const { frames, broadcast } = recorder({ big: CHAT_SOCKETS_PER_STEP * 3 });
    const fanout = new ChatFanout(broadcast, 50);
    fanout.push(msg('big', 1));
    fanout.push(msg('small', 1));
    vi.advanceTimersByTime(50);
    expect(frames.map((f) => f.room)).toEqual(['small']);
    fanout.push(msg('big', 2));
    vi.advanceTimersByTime(100);
    expect(frames.map((f) => [f.room, f.payload.messages.length])).toEqual([
      ['small', 1],
      ['big', 2],
    ]);
  });

  it('holds a due batch while the node still writes earlier broadcasts, up to BACKLOG_WAIT_MAX_MS', () => {
    vi.useFakeTimers();
    const backlog = { writes: 5000 };
    const { frames, broadcast } = recorder({}, backlog);
    const fanout = new ChatFanout(broadcast, 50);
    fanout.push(msg('a', 1));
    vi.advanceTimersByTime(50);
    expect(frames).toEqual([]);
    fanout.push(msg('a', 2));
    backlog.writes = 0;
    vi.advanceTimersByTime(BACKLOG_RECHECK_MS);
    expect(frames.map((f) => f.payload.messages.length)).toEqual([2]);

    // a backlog that never drains delays a batch, but not for ever
    backlog.writes = 5000;
    fanout.push(msg('a', 3));
    vi.advanceTimersByTime(BACKLOG_WAIT_MAX_MS - 1);
    expect(frames).toHaveLength(1);
    vi.advanceTimersByTime(BACKLOG_RECHECK_MS);
    expect(frames).toHaveLength(2);
  });
});

/** A room of `n` sockets as the pushes reach it: a push to a phase reaches the sockets whose id falls in it. */
function phasedRoom(n: number, audience: { sockets: number }) {
  const ids = Array.from({ length: n }, (_, i) => `sock-${i}-${(i * 7919).toString(36)}`);
  const got = new Map<string, string[]>(ids.map((id) => [id, []]));
  const frames: { phase: number; phases: number; event: string }[] = [];
  const deliver = (to: string[], event: string, payload: any) => {
    for (const id of to) {
      if (event === 'chat:batch') got.get(id)!.push(...payload.messages.map((m: ChatMessage) => m.id));
      else got.get(id)!.push(`${event}=${JSON.stringify(payload.totals)}`);
    }
  };
  const broadcast: Pusher = {
    toStream: () => ({
      emit: (event, payload) => {
        frames.push({ phase: 0, phases: 1, event });
        deliver(ids, event, payload);
      },
    }),
    toStreamPhase: (_streamId, phase, phases) => ({
      emit: (event, payload) => {
        frames.push({ phase, phases, event });
        deliver(
          ids.filter((id) => phaseOf(id, phases) === phase),
          event,
          payload,
        );
      },
    }),
    toUser: () => ({ emit: () => {} }),
    toStaff: () => ({ emit: () => {} }),
    toRooms: () => ({ emit: () => {} }),
    localAudience: () => audience.sockets,
    localBacklog: () => 0,
    leaveStream: () => {},
  };
  return { ids, got, frames, broadcast };
}

describe('a big room written in phases', () => {
  it('sends one part of the room a frame every CHAT_TICK_MS, each part a frame per tick with what it has not had', () => {
    vi.useFakeTimers();
    const room = phasedRoom(40, { sockets: CHAT_SOCKETS_PER_STEP * 4 });
    const fanout = new ChatFanout(room.broadcast, 50);
    fanout.push(msg('big', 1));
    vi.advanceTimersByTime(50);
    expect(room.frames).toEqual([{ phase: 0, phases: 4, event: 'chat:batch' }]);
    fanout.push(msg('big', 2));
    vi.advanceTimersByTime(150);
    expect(room.frames.map((f) => f.phase)).toEqual([0, 1, 2, 3]);
    // the next round: only phase 0 still lacks message 2, then nothing is left and the timer stops
    vi.advanceTimersByTime(1000);
    expect(room.frames.map((f) => f.phase)).toEqual([0, 1, 2, 3, 0]);
    for (const id of room.ids) expect(room.got.get(id)).toEqual(['1', '2']);
    expect(new Set(room.ids.map((id) => phaseOf(id, 4))).size).toBe(4);
  });

  it('gives every socket every message once and in order while the room grows and shrinks', () => {
    vi.useFakeTimers();
    const audience = { sockets: CHAT_SOCKETS_PER_STEP * 3 };
    const room = phasedRoom(60, audience);
    const fanout = new ChatFanout(room.broadcast, 50);
    const sizes = [3, 7, 1, 10, 2, 5];
    let id = 0;
    for (let step = 0; step < 120; step++) {
      if (step % 3 === 0) fanout.push(msg('big', ++id));
      if (step % 20 === 0) audience.sockets = CHAT_SOCKETS_PER_STEP * sizes[(step / 20) % sizes.length]!;
      vi.advanceTimersByTime(17);
    }
    fanout.flush();
    const all = Array.from({ length: id }, (_, i) => String(i + 1));
    for (const sock of room.ids) expect(room.got.get(sock)).toEqual(all);
    expect(new Set(room.frames.map((f) => f.phases))).toEqual(new Set([1, 2, 3, 5, 7, 10]));
  });

  it('sends room state pushed meanwhile with each part\'s next frame, the latest of each kind once per socket', () => {
    vi.useFakeTimers();
    const room = phasedRoom(30, { sockets: CHAT_SOCKETS_PER_STEP * 3 });
    const fanout = new ChatFanout(room.broadcast, 50);
    fanout.push(msg('big', 1));
    fanout.pushState('big', 'reaction:totals', { streamId: 'big', totals: { like: 1 } });
    fanout.pushState('big', 'reaction:totals', { streamId: 'big', totals: { like: 2 } }); // supersedes the first
    vi.advanceTimersByTime(50);
    expect(room.frames).toEqual([
      { phase: 0, phases: 3, event: 'chat:batch' },
      { phase: 0, phases: 3, event: 'reaction:totals' },
    ]);
    vi.advanceTimersByTime(1000);
    for (const id of room.ids) expect(room.got.get(id)).toEqual(['1', 'reaction:totals={"like":2}']);
    // state alone starts a round of its own
    fanout.pushState('big', 'reaction:totals', { streamId: 'big', totals: { like: 3 } });
    expect(room.frames).toHaveLength(6);
    vi.advanceTimersByTime(1000);
    expect(room.frames).toHaveLength(9);
    for (const id of room.ids) expect(room.got.get(id)!.at(-1)).toBe('reaction:totals={"like":3}');
  });

  it('pushes state to a small room at once, and flushes what a big room still owes when the node shuts down', () => {
    vi.useFakeTimers();
    const audience = { sockets: 10 };
    const room = phasedRoom(20, audience);
    const fanout = new ChatFanout(room.broadcast, 50);
    fanout.pushState('small', 'reaction:totals', { streamId: 'small', totals: { like: 1 } });
    expect(room.frames).toEqual([{ phase: 0, phases: 1, event: 'reaction:totals' }]);
    audience.sockets = CHAT_SOCKETS_PER_STEP * 4;
    fanout.push(msg('big', 1));
    fanout.pushState('big', 'reaction:totals', { streamId: 'big', totals: { like: 2 } });
    vi.advanceTimersByTime(50);
    fanout.close();
    for (const id of room.ids) expect(room.got.get(id)).toEqual(['reaction:totals={"like":1}', '1', 'reaction:totals={"like":2}']);
  });
});
