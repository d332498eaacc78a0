import { PROTOCOL_VERSION, type SessionEndReason } from '@stickyroom/sdk/protocol';
import { AppError } from '../../../core/src/errors.js';
import type { TokenService } from '../../../core/src/identity/tokens.js';
import { ANYONE, defineHandler, type AppSocket, type HandlerDef } from './handler.js';

/** The oldest protocol this server still speaks; a handshake without a version counts as 1. */
export const OLDEST_PROTOCOL = 1;

/** The refusal of a handshake's protocol version, or undefined when this server speaks it. */
export function protocolRefusal(auth: unknown): string | undefined {
  const v = typeof auth === 'object' && auth !== null ? (auth as { protocol?: unknown }).protocol : undefined;
  if (v === undefined) return undefined;
  if (typeof v === 'number' && Number.isInteger(v) && v >= OLDEST_PROTOCOL && v <= PROTOCOL_VERSION) return undefined;
  const shown = typeof v === 'number' ? String(v) : JSON.stringify(String(v).slice(0, 20));
  const speaks = (OLDEST_PROTOCOL as number) === PROTOCOL_VERSION ? `${PROTOCOL_VERSION}` : `${OLDEST_PROTOCOL} to ${PROTOCOL_VERSION}`;
  return `client protocol ${shown} is not supported: this server speaks protocol ${speaks}`;
}

/** The protocol a handshake speaks (one the server refused never connects): 1 when it names none. */
export function protocolOf(auth: unknown): number {
  const v = typeof auth === 'object' && auth !== null ? (auth as { protocol?: unknown }).protocol : undefined;
  return typeof v === 'number' && Number.isInteger(v) ? v : OLDEST_PROTOCOL;
}

/** Why the server ended a socket's session, for the disconnect metric (a WeakMap: `socket.data` goes to other nodes). */
const endReasons = new WeakMap<AppSocket, SessionEndReason>();

/** The reason the server gave a socket when it ended its session, if it did. */
export function sessionEndReason(socket: AppSocket): SessionEndReason | undefined {
  return endReasons.get(socket);
}

/** Tells one socket why its session ends, then closes it (the SDK decides whether to reconnect). */
export function endSession(socket: AppSocket, reason: SessionEndReason): void {
  endReasons.set(socket, reason);
  socket.emit('session:ended', { reason });
  socket.disconnect(true);
}

/** Not in `socket.data`: the adapter serializes that for other nodes (fetchSockets), and a timer does not serialize. */
const expiries = new WeakMap<AppSocket, NodeJS.Timeout>();

/** (Re)arms the end of a session at its token's expiry; a later token moves it, undefined disarms it. */
export function armExpiry(socket: AppSocket, expiresAt: number | undefined): void {
  clearTimeout(expiries.get(socket));
  expiries.delete(socket);
  if (expiresAt === undefined) return;
  const ms = Math.max(0, expiresAt - Date.now());
  expiries.set(socket, setTimeout(() => endSession(socket, 'token_expired'), Math.min(ms, 2 ** 31 - 1)));
}

/** `session:refresh`: a fresh token for the same user keeps the session past the old token's expiry. */
export function sessionHandlers(tokens: TokenService): HandlerDef[] {
  return [
    defineHandler('session:refresh', { roles: ANYONE }, async ({ user, socket }, { token }) => {
      const next = await tokens.verify(token);
      if (next.id !== user.id || next.role !== user.role || next.brandId !== user.brandId) {
        throw new AppError('forbidden', 'the new token must name the same user, role and brand');
      }
      socket.data.user = next;
      armExpiry(socket, next.expiresAt);
      return { expiresAt: next.expiresAt ?? 0 };
    }),
  ];
}
