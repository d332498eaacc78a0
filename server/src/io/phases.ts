/**
 * A room's phases: every socket of a room falls in one of `phases` parts by its id, the same on every node, so
 * a push can go to one part of a room at a time (a big room's chat, core/src/chat/chat.fanout.ts). A push to a
 * phase names the room and a marker "room" that says which part; the marker is never joined, so an adapter
 * that does not know it (a broadcast decoded without chunkedDelivery) sends the push to the whole room, a
 * duplicate the SDK drops by message id, never a loss. chunked-delivery.ts resolves it on every node.
 */
const MARKER = '#phase:';

/** The marker of phase `phase` of `phases`. */
export function phaseMarker(phase: number, phases: number): string {
  return `${MARKER}${phase}/${phases}`;
}

/** The phase and phase count a marker names; undefined for any other room name. */
export function parsePhaseMarker(room: string): { phase: number; phases: number } | undefined {
  if (!room.startsWith(MARKER)) return undefined;
  const m = /^(\d{1,3})\/(\d{1,3})$/.exec(room.slice(MARKER.length));
  if (!m) return undefined;
  const phase = Number(m[1]);
  const phases = Number(m[2]);
  return phases >= 1 && phase < phases ? { phase, phases } : undefined;
}

/** The phase of `phases` a socket id falls in (ids are random, so the parts are near equal). */
export function phaseOf(socketId: string, phases: number): number {
  let h = 0;
  for (let i = 0; i < socketId.length; i++) h = (Math.imul(h, 31) + socketId.charCodeAt(i)) | 0;
  return (h >>> 0) % phases;
}
