import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ChatMessage } from '@stickyroom/sdk';
import { CHAT_PHASES, phaseOf, phaseRoom, type Pusher } from '../../core/src/pusher.js';
import { BACKLOG_RECHECK_MS, BACKLOG_WAIT_MAX_MS, CHAT_SOCKETS_PER_STEP, CHAT_TICK_MAX_MS, ChatFanout, chatTickFor, MAX_BATCH } from '../../core/src/chat/chat.fanout.js';

/** Records what would reach each room. */
function recorder(audience: Record<string, number> = {}, backlog = { writes: 0 }) {
  const frames: { room: string; event: string; payload: any }[] = [];
  /** The frames to phase rooms, with the (fake) time each was sent. */
  const phased: { room: string; event: string; payload: any; at: number }[] = [];
  const broadcast: Pusher = {
    toStream: (room) => ({ emit: (event, payload) => void frames.push({ room, event, payload }) }),
    toUser: () => ({ emit: () => {} }),
    toStaff: () => ({ emit: () => {} }),
    toRooms: (rooms) => ({
      emit: (event, payload) => {
        frames.push({ room: rooms.join(','), event, payload });
        phased.push({ room: rooms.join(','), event, payload, at: Date.now() });
      },
    }),
    localAudience: (streamId) => audience[streamId] ?? 0,
    localBacklog: () => backlog.writes,
    leaveStream: () => {},
  };
  return { frames, phased, broadcast };
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
    // the big room (tick 150 ms) is phased: by now two of its phases have had the message
    expect(frames.filter((f) => f.room === 'small')).toHaveLength(1);
    expect(frames.filter((f) => f.room !== 'small').map((f) => f.room)).toEqual([phaseRoom('big', 0), phaseRoom('big', 1)]);
    vi.advanceTimersByTime(100);
    expect(new Set(frames.filter((f) => f.room !== 'small').map((f) => f.room))).toEqual(new Set(Array.from({ length: CHAT_PHASES }, (_, p) => phaseRoom('big', p))));
  });

  it('sends a phased room every message once per phase, in order, within a tick, one frame per phase per tick', () => {
    vi.useFakeTimers();
    const { frames, phased, broadcast } = recorder({ big: CHAT_SOCKETS_PER_STEP * 5 + 1 });
    const tick = chatTickFor(50, CHAT_SOCKETS_PER_STEP * 5 + 1);
    const fanout = new ChatFanout(broadcast, 50);
    const sentAt = new Map<string, number>();
    let id = 0;
    // about 40 messages a second for 4 s, at uneven moments
    while (id < 120) {
      const m = msg('big', ++id);
      sentAt.set(m.id, Date.now());
      fanout.push(m);
      vi.advanceTimersByTime(id % 3 === 0 ? 10 : 40);
    }
    vi.advanceTimersByTime(tick * 2);
    const rooms = new Set(phased.map((f) => f.room));
    expect(rooms).toEqual(new Set(Array.from({ length: CHAT_PHASES }, (_, p) => phaseRoom('big', p))));
    for (const room of rooms) {
      const frames = phased.filter((f) => f.room === room);
      expect(frames.flatMap((f) => f.payload.messages.map((m: { id: string }) => m.id)), room).toEqual(Array.from({ length: id }, (_, i) => String(i + 1)));
      for (const f of frames) for (const m of f.payload.messages) expect(f.at - sentAt.get(m.id)!, room).toBeLessThanOrEqual(tick);
      // one frame per tick: consecutive frames to a phase are a tick apart
      for (let i = 1; i < frames.length; i++) expect(frames[i]!.at - frames[i - 1]!.at, room).toBe(tick);
    }
    // and then the room's timer stops
    const sent = frames.length;
    vi.advanceTimersByTime(10 * tick);
    expect(frames).toHaveLength(sent);
  });

  it('gives every phase what it has not had when the node shuts down mid-tick', () => {
    vi.useFakeTimers();
    const { frames, broadcast } = recorder({ big: CHAT_SOCKETS_PER_STEP * 5 + 1 });
    const tick = chatTickFor(50, CHAT_SOCKETS_PER_STEP * 5 + 1);
    const fanout = new ChatFanout(broadcast, 50);
    fanout.push(msg('big', 1));
    vi.advanceTimersByTime((tick / CHAT_PHASES) * 2);
    fanout.push(msg('big', 2));
    fanout.close();
    const per = new Map<string, string[]>();
    for (const f of frames) per.set(f.room, [...(per.get(f.room) ?? []), ...f.payload.messages.map((m: { id: string }) => m.id)]);
    expect(per.size).toBe(CHAT_PHASES);
    for (const ids of per.values()) expect(ids).toEqual(['1', '2']);
  });

  it('spreads socket ids evenly over the phases', () => {
    const counts = new Array(CHAT_PHASES).fill(0);
    for (let i = 0; i < 60_000; i++) counts[phaseOf(Math.random().toString(36).slice(2) + i.toString(36))]++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(600);
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
