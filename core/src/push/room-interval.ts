/**
 * How often a push that goes to a whole room may go, for a room whose sockets on this node number
 * `localSockets`: every `baseMs` up to `socketsPerStep` sockets, one step of `baseMs` longer per further
 * `socketsPerStep`, at most `maxMs` (or `baseMs`, if that is set longer). A push to a room costs the node one
 * socket write per socket, whatever it carries, so a big room's periodic pushes (chat ticks, reaction
 * totals, coupon stock) are spaced out with its size: in the 10,000-viewer room bench they were most of
 * what the node wrote (docs/benchmarks-history.md, room and claims).
 */
export function roomPushInterval(baseMs: number, localSockets: number, socketsPerStep: number, maxMs: number): number {
  const steps = Math.max(1, Math.ceil(localSockets / socketsPerStep));
  return Math.min(Math.max(baseMs, maxMs), steps * baseMs);
}
