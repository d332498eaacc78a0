import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ChatMessage } from '@stickyroom/sdk';
import type { Pusher } from '../../core/src/pusher.js';
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
