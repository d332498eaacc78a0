import type { User } from '../identity/tokens.js';
import { perContext, type AppContext } from '../context.js';
import { userGate } from '../redis/event-gate.js';
import type { StreamRecord } from '../streams/streams.store.js';
import { concurrentViewers, dropLivePresence, joinViewers, statsToPush, touchViewer } from './presence.store.js';
import { joinLookup } from '../room/join-reads.js';
import { chatFanout } from '../chat/chat.service.js';

/** How long after its last join or heartbeat on this node a stream stays on this node's stats rounds. */
const ACTIVE_FOR_MS = 2 * 60_000;

/**
 * Streams with sockets on this node, as far as joins and heartbeats show. Node-local bookkeeping on
 * the process's own monotonic time (not ctx.clock): it decides where to look, never what is counted.
 */
class ActiveStreams {
  private readonly lastTouch = new Map<string, number>();

  touch(streamId: string): void {
    this.lastTouch.set(streamId, performance.now());
  }

  list(): string[] {
    const cutoff = performance.now() - ACTIVE_FOR_MS;
    for (const [id, at] of this.lastTouch) if (at < cutoff) this.lastTouch.delete(id);
    return [...this.lastTouch.keys()];
  }
}

const activeStreams = perContext(() => new ActiveStreams());

/** Only viewers are counted: staff in the room are not the audience. */
const counts = (user: User) => user.role === 'viewer';

/** The `room:join` part: marks a viewer present (and a unique viewer) and answers the live count. */
export function joinPresence(ctx: AppContext, stream: StreamRecord, user: User): Promise<{ viewers: number }> {
  activeStreams(ctx).touch(stream.id);
  const now = ctx.clock.now();
  const viewers = counts(user)
    ? // one script for the joins of this moment (a join storm when the stream goes live), each recorded in order
      joinLookup(ctx, stream.id, 'presence:join', [user.id, now] as const, (joins) => joinViewers(ctx.redis, ctx.keys, stream.id, joins))
    : concurrentViewers(ctx.redis, ctx.keys, stream.id, now);
  return viewers.then(viewersPart);
}

const viewersPart = (viewers: number) => ({ viewers });

/**
 * Streams each socket (by id) on this node sent heartbeats for, forgotten when the socket goes. The disconnect
 * cannot read the socket's joined streams: Socket.IO leaves every room before `disconnect`, and leaving a
 * stream's room empties that set.
 */
const beatingSockets = perContext(() => new Map<string, Set<string>>());

/**
 * A heartbeat keeps the viewer present and credits watch time while one of the viewer's sockets is visible;
 * a hidden one ends this socket's visible stretch (see presence-touch-13.lua).
 */
export async function heartbeat(ctx: AppContext, user: User, socketId: string, streamId: string, visible: boolean, now: number): Promise<void> {
  activeStreams(ctx).touch(streamId);
  if (!counts(user)) return;
  const streams = beatingSockets(ctx);
  if (!streams.has(socketId)) streams.set(socketId, new Set());
  streams.get(socketId)!.add(streamId);
  const res = await touchViewer(ctx.redis, ctx.keys, streamId, user.id, visible ? 'visible' : 'hidden', now, socketId, userGate(ctx, streamId, user.id));
  if (res.creditedMs > 0) ctx.log.trace({ streamId, viewerId: user.id, ms: res.creditedMs }, 'watch time credited');
}

/** A socket that disconnects stops crediting like a hidden heartbeat, in every stream it sent heartbeats for. */
export function leavePresence(ctx: AppContext, user: User, socketId: string): void {
  const streams = beatingSockets(ctx).get(socketId);
  if (!streams) return;
  beatingSockets(ctx).delete(socketId);
  const now = ctx.clock.now();
  for (const streamId of streams) {
    touchViewer(ctx.redis, ctx.keys, streamId, user.id, 'gone', now, socketId)
      .then((res) => {
        if (res.creditedMs > 0) ctx.log.trace({ streamId, viewerId: user.id, ms: res.creditedMs }, 'watch time credited');
      })
      .catch((err: unknown) => ctx.log.warn({ err: (err as Error).message, streamId }, 'watch time at disconnect not recorded'));
  }
}

/** An ended stream credits and counts nothing more (the script checks the status), so its live state can go. */
export async function endPresence(ctx: AppContext, stream: StreamRecord): Promise<void> {
  await dropLivePresence(ctx.redis, ctx.keys, stream.id);
}

/**
 * Pushes `room:stats` to the rooms of this node's active streams. Every node runs this; per stream
 * and interval one node wins the push token (see presence-stats-4.lua). Ticks four times per interval
 * so a change reaches the room within about 1.25 intervals.
 */
export function startStatsPushes(ctx: AppContext): () => void {
  const interval = ctx.config.STATS_INTERVAL_MS;
  let running = false;
  let failing = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      const streams = activeStreams(ctx).list();
      for (const stats of await statsToPush(ctx.redis, ctx.keys, streams, ctx.clock.now(), interval)) {
        chatFanout(ctx).pushState(stats.streamId, 'room:stats', stats);
      }
      failing = false;
    } catch (err) {
      // one warning per outage, not one per tick
      if (!failing) ctx.log.warn({ err: (err as Error).message }, 'room stats round failed');
      failing = true;
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => {
    tick().catch((err: unknown) => ctx.log.error({ err }, 'room stats round failed unexpectedly'));
  }, Math.max(50, Math.floor(interval / 4)));
  timer.unref();
  return () => clearInterval(timer);
}
