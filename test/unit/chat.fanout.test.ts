import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ChatMessage } from '@stickyroom/sdk';
import type { Pusher } from '../../core/src/pusher.js';
import { ChatFanout, MAX_BATCH } from '../../core/src/chat/chat.fanout.js';

/** Records what would reach each room. */
function recorder() {
  const frames: { room: string; event: string; payload: any }[] = [];
  const broadcast: Pusher = {
    toStream: (room) => ({ emit: (event, payload) => void frames.push({ room, event, payload }) }),
    toUser: () => ({ emit: () => {} }),
    toStaff: () => ({ emit: () => {} }),
    toRooms: () => ({ emit: () => {} }),
    localAudience: () => 0,
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
});
