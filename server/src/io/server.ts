import type { IncomingMessage } from 'node:http';
import { Server } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents } from '@stickyroom/sdk/protocol';
import type { Config } from '../../../core/src/config.js';
import type { AppContext } from '../../../core/src/context.js';
import type { Logger } from '../../../core/src/logger.js';
import { AppError } from '../../../core/src/errors.js';
import type { TokenService } from '../../../core/src/identity/tokens.js';
import { staffRoom, streamRoom, userRoom, type Emitter, type Pusher } from '../../../core/src/pusher.js';
import { phaseMarker } from './phases.js';
import type { Metrics } from '../metrics.js';
import { outageSafeAdapter, type AdapterClients } from './adapter.js';
import { createDispatcher, type AppSocket, type HandlerDef, type SocketData } from './handler.js';
import { capBufferedBytes } from './slow-consumer.js';
import { sharedPartsParser } from './shared-parts-encoder.js';
import { UserSockets } from './user-sockets.js';
import { armExpiry, endSession, protocolOf, protocolRefusal, sessionEndReason, sessionHandlers } from './session.js';

export type AppIo = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

export interface IoOptions {
  /** The adapter's publish and subscribe connections (see AdapterClients: a single Redis or a Cluster). */
  adapter: AdapterClients;
  /** The adapter's channel prefix (Keys.ioChannel). */
  channel: string;
  log: Logger;
}

export interface SocketOptions {
  tokens: TokenService;
  handlers: readonly HandlerDef[];
  metrics: Metrics;
  onDisconnect?: Array<(socket: AppSocket) => void>;
}

/** Browsers must come from an allowed origin; CORS alone does not stop a WebSocket upgrade. */
export function originAllowed(req: IncomingMessage, allowed: readonly string[]): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true; // not a browser (Node SDK, server-to-server)
  return allowed.includes('*') || allowed.includes(origin) || sameHost(origin, req.headers.host);
}

/** A page this server served (the console, the demo) connects back to the host it came from. */
function sameHost(origin: string, host: string | undefined): boolean {
  try {
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false;
  }
}

/**
 * The Socket.IO server and its Redis adapter, not yet attached to an HTTP server: pushes through it work
 * from here on (the Pusher of the context), while sockets are served once serveSockets() has run and the
 * composition root attaches it (`io.attach(http)`).
 */
export function createIo(config: Config, opts: IoOptions): AppIo {
  const io: AppIo = new Server({
    serveClient: false,
    maxHttpBufferSize: config.MAX_PAYLOAD_BYTES,
    cors: { origin: [...config.CORS_ORIGINS], credentials: false },
    allowRequest: (req, done) => {
      if (originAllowed(req, config.CORS_ORIGINS)) done(null, true);
      else done('origin not allowed', false);
    },
    perMessageDeflate: false,
    // the stock parser, except that the parts every join ack of a moment shares are JSON-encoded once for all
    parser: sharedPartsParser,
    pingInterval: 25_000,
    pingTimeout: 20_000,
  });
  io.adapter(outageSafeAdapter(config.SOCKET_ADAPTER, opts.adapter, opts.channel, opts.log));
  // A socket taken out of a stream's room from elsewhere (a ban, from any node) has left the stream:
  // keep `requireJoined` in step with the room.
  const streamPrefix = streamRoom('');
  io.of('/').adapter.on('leave-room', (room: string, sid: string) => {
    if (room.startsWith(streamPrefix)) io.of('/').sockets.get(sid)?.data.streams?.delete(room.slice(streamPrefix.length));
  });
  return io;
}

/** Authenticates every connection (handshake token) and dispatches its events to the handlers. */
export function serveSockets(io: AppIo, ctx: AppContext, opts: SocketOptions): void {
  io.use((socket, next) => {
    const auth: unknown = socket.handshake.auth;
    const unsupported = protocolRefusal(auth);
    if (unsupported) {
      const e = new Error(unsupported) as Error & { data: unknown };
      e.data = { code: 'unsupported_protocol' };
      opts.metrics.connectRefusals.inc({ code: 'unsupported_protocol' });
      return next(e);
    }
    const token = typeof auth === 'object' && auth !== null ? (auth as { token?: unknown }).token : undefined;
    opts.tokens.verify(token).then(
      (user) => {
        socket.data.user = user;
        socket.data.streams = new Set();
        socket.data.protocol = protocolOf(auth);
        next();
      },
      (err: unknown) => {
        const e = new Error(err instanceof AppError ? err.message : 'unauthorized') as Error & { data: unknown };
        e.data = { code: 'unauthorized' };
        opts.metrics.connectRefusals.inc({ code: 'unauthorized' });
        next(e);
      },
    );
  });

  const dispatch = createDispatcher(ctx, [...opts.handlers, ...sessionHandlers(opts.tokens)], opts.metrics);
  const userSockets = new UserSockets<AppSocket>(ctx.config.MAX_CONNECTIONS_PER_USER);
  io.on('connection', (socket: AppSocket) => {
    const user = socket.data.user;
    opts.metrics.sockets.inc();
    opts.metrics.connects.inc();
    // The Redis adapter joins rooms in memory (synchronously); an adapter that answers with a promise must not
    // leave its failure unhandled.
    Promise.resolve(socket.join(userRoom(user.id))).catch((err: unknown) => {
      ctx.log.warn({ err, user: user.id }, 'could not join the user room; closing the connection');
      socket.disconnect(true);
    });
    capBufferedBytes(socket, ctx.config.MAX_SOCKET_BUFFER_BYTES, ctx.log);
    // Over the cap, the user's oldest socket on this node goes: the newest is the one in use.
    for (const old of userSockets.add(user.id, socket)) {
      ctx.log.debug({ user: user.id, socket: old.id }, 'closing the oldest socket: too many connections');
      endSession(old, 'too_many_connections');
    }
    // A token that expires mid-session ends that session, unless `session:refresh` brought a later one.
    armExpiry(socket, user.expiresAt);
    socket.onAny((event: unknown, ...args: unknown[]) => dispatch(socket, event, args));
    // socket.io emits 'error' when the parser refuses a packet (it then closes the connection); a client
    // may also send an event named "error", which the dispatcher has already answered. Noted, not alarming.
    socket.on('error', (err: unknown) => {
      ctx.log.debug({ user: user.id, err: err instanceof Error ? err.message : typeof err }, 'socket error');
    });
    socket.on('disconnect', (reason) => {
      opts.metrics.sockets.dec();
      opts.metrics.disconnects.inc({ reason: sessionEndReason(socket) ?? reason.replaceAll(' ', '_') });
      userSockets.remove(user.id, socket);
      armExpiry(socket, undefined);
      for (const hook of opts.onDisconnect ?? []) {
        try {
          hook(socket);
        } catch (err) {
          ctx.log.error({ err, user: user.id }, 'disconnect hook failed');
        }
      }
    });
  });
}

/** Ends every socket of this node with `session:ended { reason: 'server_draining' }`; returns how many. */
export function drainSockets(io: AppIo): number {
  const sockets = [...io.of('/').sockets.values()];
  for (const socket of sockets) endSession(socket, 'server_draining');
  return sockets.length;
}

/** A broadcast without the sockets of the `except` rooms (each node leaves out its own members of them). */
const but = <B extends { except(rooms: string[]): B }>(op: B, except: readonly string[] | undefined): B => (except?.length ? op.except([...except]) : op);

/** Pushes through this node's Socket.IO server; the adapter carries them to every node. */
export function ioPusher(io: AppIo): Pusher {
  // chunkedDelivery (adapter.ts) marks the adapters that resolve a phase marker
  const phases = (io.sockets.adapter as { deliversPhases?: true }).deliversPhases === true;
  return {
    ...(phases && {
      toStreamPhase: (streamId: string, phase: number, count: number): Emitter => ({
        emit: (event, payload) => void io.to([streamRoom(streamId), phaseMarker(phase, count)]).emit(event, ...([payload] as never)),
      }),
    }),
    toStream: (streamId, except) => ({ emit: (event, payload) => void but(io.to(streamRoom(streamId)), except).emit(event, ...([payload] as never)) }),
    toUser: (userId) => ({ emit: (event, payload) => void io.to(userRoom(userId)).emit(event, ...([payload] as never)) }),
    toStaff: (streamId) => ({ emit: (event, payload) => void io.to(staffRoom(streamId)).emit(event, ...([payload] as never)) }),
    toRooms: (rooms, except) => ({ emit: (event, payload) => void but(io.to([...rooms]), except).emit(event, ...([payload] as never)) }),
    localAudience: (streamId) => io.sockets.adapter.rooms.get(streamRoom(streamId))?.size ?? 0,
    // added to the adapter by chunkedDelivery (adapter.ts)
    localBacklog: () => (io.sockets.adapter as { localBacklog?: () => number }).localBacklog?.() ?? 0,
    leaveStream: (userId, streamId, also = []) => io.in(userRoom(userId)).socketsLeave([streamRoom(streamId), ...also]),
  };
}
