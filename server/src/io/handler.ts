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
import type { User } from '../../../core/src/identity/tokens.js';
import type { AppContext } from '../../../core/src/context.js';
import type { Config } from '../../../core/src/config.js';
import { AppError, clip, toAckError } from '../../../core/src/errors.js';
import type { Metrics } from '../metrics.js';
import { RateBuckets } from '../../../core/src/rate-buckets.js';
import { replyTo } from './direct-acks.js';
import { Turns } from './turns.js';

export interface SocketData {
  user: User;
  /** Streams this socket has joined (Socket.IO rooms `s:<id>`). */
  streams: Set<string>;
  /** The protocol version its handshake spoke (1 when it named none). */
  protocol: number;
  /** When this socket last asked to leave each stream (Call.arrival), for the few streams it left last. */
  leftAt?: Map<string, number>;
}

export type AppSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

/** What a handler gets besides its parsed payload. */
export interface Call {
  ctx: AppContext;
  user: User;
  socket: AppSocket;
  now: number;
  /** The event's place among this node's arrivals: of two events, the one that arrived first has the smaller. */
  arrival: number;
  /** Refuses unless this socket joined the stream. */
  requireJoined(streamId: string): void;
}

export interface HandlerOptions {
  /** Roles allowed to send the event; anyone else gets `forbidden`. */
  roles: readonly Role[];
  /**
   * At most this many of the event run at once on a node; later ones wait their turn, in arrival order (./turns.ts).
   * For an event thousands of viewers send at once whose every run waits on reads: a join storm.
   */
  concurrency?: (config: Config) => number;
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

/** The `done` of an event that takes no turn (its handler sets no concurrency). */
const noTurn = (): void => {};

/** The refusal of an event name that is not ours; socket.io-parser also lets numbers through as names. */
function unknownEvent(event: unknown): AppError {
  if (typeof event === 'string') return new AppError('unknown_event', `unknown event ${JSON.stringify(clip(event, 40))}`);
  const type = event === null ? 'null' : Array.isArray(event) ? 'an array' : `a ${typeof event}`;
  return new AppError('unknown_event', `event names are strings, not ${type}`);
}

/**
 * One dispatcher per node (via each socket's `onAny`) instead of a listener per event per socket: less
 * memory per connection, and unknown events get an ack instead of silence.
 *
 * Whatever socket.io-parser lets through reaches it: an event name that is a number, no arguments, an
 * ack callback in the payload's place, buffers anywhere. Every such call is answered (when it has an ack)
 * or dropped; nothing here throws into socket.io, where a throw would end the process (issue 7).
 */
export function createDispatcher(ctx: AppContext, handlers: readonly HandlerDef[], metrics?: Metrics) {
  const byEvent = new Map<string, HandlerDef>();
  const turns = new Map<HandlerDef, Turns>();
  for (const h of handlers) {
    if (byEvent.has(h.event)) throw new Error(`two handlers for ${h.event}`);
    byEvent.set(h.event, h);
    if (h.options.concurrency) {
      const queue = new Turns(h.options.concurrency(ctx.config));
      turns.set(h, queue);
      metrics?.waiting.set(h.event, () => queue.waiting);
    }
  }
  let arrivals = 0;
  // Per user, not per socket: opening more sockets buys no more events (issue 7, item 4).
  const userEvents = new RateBuckets(ctx.config.EVENT_RATE_LIMIT);

  function route(socket: AppSocket, event: unknown, args: readonly unknown[], ack: AckFn): void {
    const user = socket.data.user;
    const started = performance.now();
    const known = typeof event === 'string' && isRequestName(event) ? event : 'unknown';
    const fail = (err: unknown) => {
      const { error, internal, outage } = toAckError(err);
      if (internal) ctx.log.error({ err, event: known, user: user.id }, 'handler failed');
      else if (outage) ctx.log.debug({ err: (err as Error).message, event: known }, 'answered unavailable: Redis unreachable');
      metrics?.events.inc({ event: known, code: error.code });
      ack({ ok: false, error });
    };

    const now = ctx.clock.now();
    // monotonic time: a flood guard, not a product rule, so a wall-clock jump must not refill it
    const { granted, retryAfterMs } = userEvents.take(user.id, performance.now());
    if (!granted) return fail(new AppError('rate_limited', 'too many events from this user', { retryAfterMs }));

    if (known === 'unknown') return fail(unknownEvent(event));
    const handler = byEvent.get(known);
    if (!handler) return fail(new AppError('unknown_event', `event "${known}" is not served yet`));
    if (!handler.options.roles.includes(user.role)) {
      return fail(new AppError('forbidden', `a ${user.role} may not send ${known}`));
    }
    const parsed = requestSchemas[known].safeParse(args[0]);
    if (!parsed.success) return fail(parsed.error);

    const call: Call = {
      ctx,
      user,
      socket,
      now,
      arrival: ++arrivals,
      requireJoined(streamId) {
        if (!socket.data.streams.has(streamId)) throw new AppError('forbidden', 'join the stream first (room:join)');
      },
    };
    const queue = turns.get(handler);
    if (!queue) return answer(call, handler, parsed.data, known, started, fail, ack, noTurn);
    // a socket gone while its event waited for a turn is owed nothing
    queue.run((done) => (socket.connected ? answer(call, handler, parsed.data, known, started, fail, ack, done) : done()));
  }

  /** Runs the handler and acks what it answers; `done` once the ack is sent (the end of the event's turn, if it takes turns). */
  function answer(call: Call, handler: HandlerDef, data: unknown, known: string, started: number, fail: (err: unknown) => void, ack: AckFn, done: () => void): void {
    let running: Promise<Replies[RequestName]>;
    try {
      // the handler's own promise (Promise.resolve answers it as it is), not one more wrapped around it
      running = Promise.resolve(handler.run(call, data as never));
    } catch (err) {
      // a handler that throws before its first await is refused like one that rejects
      fail(err);
      return done();
    }
    const answered = running.then(
      (reply) => {
        metrics?.events.inc({ event: known, code: 'ok' });
        metrics?.eventSeconds.observe({ event: known }, (performance.now() - started) / 1000);
        ack({ ok: true, ...(reply as object) });
      },
      fail,
    ).catch((err: unknown) => ctx.log.error({ err, event: known, user: call.user.id }, 'answering failed'));
    if (done !== noTurn) answered.then(done, done);
  }

  return function dispatch(socket: AppSocket, event: unknown, args: readonly unknown[]): void {
    // socket.io runs `onAny` listeners even for a packet that arrived in the same read as the socket's
    // DISCONNECT; its own listeners drop those, and so do we: a socket that left sends nothing more.
    if (!socket.connected) return;
    // socket.io puts the ack callback last when the packet has an id; JSON cannot carry a function.
    const last = args[args.length - 1];
    const reply = typeof last === 'function' ? (last as AckFn) : undefined;
    let answered = false;
    const ack: AckFn = (res) => {
      if (answered || !reply) return;
      answered = true;
      try {
        replyTo(socket, reply, res);
      } catch (err) {
        // an ack that cannot be encoded is our bug; it must not escape into a promise nobody awaits
        ctx.log.error({ err, user: socket.data.user?.id }, 'ack failed');
      }
    };
    try {
      route(socket, event, reply ? args.slice(0, -1) : args, ack);
    } catch (err) {
      ctx.log.error({ err, user: socket.data.user?.id }, 'dispatch failed');
      ack({ ok: false, error: { code: 'internal', message: 'internal error' } });
    }
  };
}
