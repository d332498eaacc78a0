import type { Socket } from 'socket.io';
import {
  isRequestName,
  requestSchemas,
  type Ack,
  type ClientToServerEvents,
  type Replies,
  type RequestName,
  type RequestPayload,
  type Role,
  type ServerToClientEvents,
} from '@stickyroom/sdk/protocol';
import type { User } from '../auth/tokens.js';
import type { AppContext } from '../context.js';
import { AppError, toAckError } from '../errors.js';
import type { Metrics } from '../metrics.js';

export interface SocketData {
  user: User;
  /** Streams this socket has joined (Socket.IO rooms `s:<id>`). */
  streams: Set<string>;
  /** Per-connection token bucket against floods of any event. */
  bucket: { tokens: number; at: number };
}

export type AppSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

/** What a handler gets besides its parsed payload. */
export interface Call {
  ctx: AppContext;
  user: User;
  socket: AppSocket;
  now: number;
  /** Refuses unless this socket joined the stream. */
  requireJoined(streamId: string): void;
}

export interface HandlerOptions {
  /** Roles allowed to send the event; anyone else gets `forbidden`. */
  roles: readonly Role[];
}

export interface HandlerDef<E extends RequestName = RequestName> {
  event: E;
  options: HandlerOptions;
  run(call: Call, payload: RequestPayload<E>): Promise<Replies[E]>;
}

/** A socket event handler: parse with the shared schema -> authorize -> run -> ack. */
export function defineHandler<E extends RequestName>(
  event: E,
  options: HandlerOptions,
  run: (call: Call, payload: RequestPayload<E>) => Promise<Replies[E]>,
): HandlerDef {
  return { event, options, run } as unknown as HandlerDef;
}

export const VIEWER: readonly Role[] = ['viewer'];
/** Everyone in a room may chat, react and so on; staff too. */
export const ANYONE: readonly Role[] = ['viewer', 'streamer', 'moderator', 'admin', 'brand'];
export const STAFF: readonly Role[] = ['streamer', 'moderator', 'admin'];
export const STREAMER: readonly Role[] = ['streamer', 'admin'];

type AckFn = (res: Ack<object>) => void;

/**
 * One dispatcher per socket (via `onAny`) instead of a listener per event per socket: less memory per
 * connection, and unknown events get an ack instead of silence.
 */
export function createDispatcher(ctx: AppContext, handlers: readonly HandlerDef[], metrics?: Metrics) {
  const byEvent = new Map<string, HandlerDef>();
  for (const h of handlers) {
    if (byEvent.has(h.event)) throw new Error(`two handlers for ${h.event}`);
    byEvent.set(h.event, h);
  }
  const ratePerSec = ctx.config.EVENT_RATE_LIMIT;

  return function dispatch(socket: AppSocket, event: string, args: unknown[]): void {
    const last = args[args.length - 1];
    const ack: AckFn = typeof last === 'function' ? (last as AckFn) : () => {};
    const payload = args[0];
    const started = performance.now();
    const known = isRequestName(event) ? event : 'unknown';
    const fail = (err: unknown) => {
      const { error, internal, outage } = toAckError(err);
      if (internal) ctx.log.error({ err, event: known, user: socket.data.user?.id }, 'handler failed');
      else if (outage) ctx.log.debug({ err: (err as Error).message, event: known }, 'answered unavailable: Redis unreachable');
      metrics?.events.inc({ event: known, code: error.code });
      ack({ ok: false, error });
    };

    const now = ctx.clock.now();
    const bucket = socket.data.bucket;
    bucket.tokens = Math.min(ratePerSec, bucket.tokens + ((now - bucket.at) / 1000) * ratePerSec);
    bucket.at = now;
    if (bucket.tokens < 1) {
      const retryAfterMs = Math.ceil(((1 - bucket.tokens) / ratePerSec) * 1000);
      return fail(new AppError('rate_limited', 'too many events on this connection', { retryAfterMs }));
    }
    bucket.tokens -= 1;

    if (!isRequestName(event)) return fail(new AppError('unknown_event', `unknown event "${event.slice(0, 40)}"`));
    const handler = byEvent.get(event);
    if (!handler) return fail(new AppError('unknown_event', `event "${event}" is not served yet`));
    const user = socket.data.user;
    if (!handler.options.roles.includes(user.role)) {
      return fail(new AppError('forbidden', `a ${user.role} may not send ${event}`));
    }
    const parsed = requestSchemas[event].safeParse(payload);
    if (!parsed.success) return fail(parsed.error);

    const call: Call = {
      ctx,
      user,
      socket,
      now,
      requireJoined(streamId) {
        if (!socket.data.streams.has(streamId)) throw new AppError('forbidden', 'join the stream first (room:join)');
      },
    };
    handler
      .run(call, parsed.data as never)
      .then(
        (data) => {
          metrics?.events.inc({ event: known, code: 'ok' });
          metrics?.eventSeconds.observe({ event: known }, (performance.now() - started) / 1000);
          ack({ ok: true, ...(data as object) });
        },
        fail,
      )
      // answering itself failed (an ack that cannot be encoded): the caller times out, the node goes on
      .catch((err: unknown) => ctx.log.error({ err, event: known }, 'could not answer'));
  };
}
