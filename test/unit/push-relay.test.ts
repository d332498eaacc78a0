import { describe, expect, it } from 'vitest';
import { parseRelayed, relayPusher } from '../../core/src/push/push-relay.js';
import { SeenIds } from '../../client-sdk/src/seen-ids.js';

describe('relayed pushes (worker -> server nodes)', () => {
  it('round-trips what the worker publishes, for a room, a user and a ban', () => {
    const sent: string[] = [];
    const pusher = relayPusher((m) => sent.push(m));
    pusher.toStream('s1').emit('coupon:ended', { streamId: 's1', dropId: 's1.d', reason: 'ended', claimed: 3 });
    pusher.toUser('u1').emit('reward:granted', { streamId: 's1', source: 'lottery', prize: '<script>x</script>' });
    pusher.leaveStream('u1', 's1');
    expect(sent.map(parseRelayed)).toEqual([
      { kind: 'emit', room: 's:s1', event: 'coupon:ended', payload: { streamId: 's1', dropId: 's1.d', reason: 'ended', claimed: 3 } },
      { kind: 'emit', room: 'u:u1', event: 'reward:granted', payload: { streamId: 's1', source: 'lottery', prize: '<script>x</script>' } },
      { kind: 'leave', room: 'u:u1', leave: 's:s1' },
    ]);
  });

  it('carries a targeted push to several rooms at once, and a ban out of the audience rooms too', () => {
    const sent: string[] = [];
    const pusher = relayPusher((m) => sent.push(m));
    pusher.toRooms(['staff:s1', 'aud:s1:dormant:bronze']).emit('coupon:stock', { streamId: 's1', dropId: 's1.d', remaining: 4 });
    pusher.leaveStream('u1', 's1', ['aud:s1:new:bronze']);
    expect(sent.map(parseRelayed)).toEqual([
      { kind: 'emit', room: ['staff:s1', 'aud:s1:dormant:bronze'], event: 'coupon:stock', payload: { streamId: 's1', dropId: 's1.d', remaining: 4 } },
      { kind: 'leave', room: 'u:u1', leave: ['s:s1', 'aud:s1:new:bronze'] },
    ]);
  });

  it("carries the rooms a push leaves out (a sell-out's coupon:ended, not to the sockets a sold_out ack told)", () => {
    const sent: string[] = [];
    const pusher = relayPusher((m) => sent.push(m));
    pusher.toStream('s1', ['told:s1.d']).emit('coupon:ended', { streamId: 's1', dropId: 's1.d', reason: 'sold_out', claimed: 2 });
    pusher.toStream('s1', []).emit('coupon:stock', { streamId: 's1', dropId: 's1.d', remaining: 1 });
    expect(sent.map(parseRelayed)).toEqual([
      { kind: 'emit', room: 's:s1', except: ['told:s1.d'], event: 'coupon:ended', payload: { streamId: 's1', dropId: 's1.d', reason: 'sold_out', claimed: 2 } },
      { kind: 'emit', room: 's:s1', event: 'coupon:stock', payload: { streamId: 's1', dropId: 's1.d', remaining: 1 } },
    ]);
  });

  it('ignores anything else on the channel: not JSON, unknown events, oversized rooms, missing fields', () => {
    for (const m of ['', 'nope', '{"kind":"emit"}', JSON.stringify({ kind: 'emit', room: 's:x', event: 'disconnect', payload: {} }),
      JSON.stringify({ kind: 'emit', room: 'r'.repeat(301), event: 'chat:message', payload: {} }), JSON.stringify({ kind: 'leave', room: 'u:a' }), 'null', '[]']) {
      expect(parseRelayed(m), m).toBeNull();
    }
  });
});

describe('the SDK remembers announcement ids', () => {
  it('says first once per id, and forgets the oldest beyond its bound', () => {
    const seen = new SeenIds(3);
    expect(['a', 'b', 'a', 'c', 'b'].map((id) => seen.first(id))).toEqual([true, true, false, true, false]);
    expect(seen.first('d')).toBe(true); // a is forgotten now
    expect(seen.first('a')).toBe(true);
    expect(seen.first('d')).toBe(false);
  });
});
