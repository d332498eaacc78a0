/**
 * The protocol's plain values, in a module that imports nothing: the SDK's run time (client, viewer,
 * streamer, the browser bundle) reads them from here so that no zod schema, and so no zod, is loaded with
 * it. The schema files re-export them, so `@stickyroom/sdk/protocol` offers them as before.
 */

/** Every error code an ack or an HTTP error body can carry. */
export const ERROR_CODES = [
  'unauthorized',
  'forbidden',
  'invalid_payload',
  'unknown_event',
  'not_found',
  'not_live',
  'rate_limited',
  'muted',
  'banned',
  'already_done',
  'sold_out',
  'insufficient_points',
  'closed',
  'not_eligible',
  'conflict',
  'unavailable',
  'unsupported_protocol',
  'internal',
] as const;

/** The SDK sends one every 15 s per joined stream (and at once when the page is hidden or shown). */
export const HEARTBEAT_INTERVAL_MS = 15_000;

/** Watch time is credited for the gap since the viewer's previous visible heartbeat only up to this. */
export const MAX_CREDIT_GAP_MS = 2 * HEARTBEAT_INTERVAL_MS;

/** A viewer counts as present (concurrent) for this long after their last join or heartbeat. */
export const PRESENCE_WINDOW_MS = 45_000;

/**
 * Why the server closed a session: `token_expired` (reconnect with a fresh token), `server_draining` (the
 * node is shutting down: reconnect, another node answers), `banned`, or `too_many_connections` (the user
 * opened more sockets than `MAX_CONNECTIONS_PER_USER` on one node and this was the oldest). The last two
 * are final: the SDK does not reconnect after them. `slow_consumer`: the client fell so far behind reading
 * that the node's buffer for it passed `MAX_SOCKET_BUFFER_BYTES`; it reconnects and catches up.
 */
export const SESSION_END_REASONS = ['token_expired', 'server_draining', 'banned', 'too_many_connections', 'slow_consumer'] as const;
/** Reasons after which reconnecting would be refused or would end another of the user's sessions. */
export const FINAL_SESSION_END_REASONS: readonly (typeof SESSION_END_REASONS)[number][] = ['banned', 'too_many_connections'];

export const CHAT_MAX_CHARS = 500;

/** The reactions a viewer can send; every kind counts as a like for scoring. */
export const REACTION_KINDS = ['like', 'heart', 'fire', 'clap', 'wow'] as const;

/**
 * The `announcementId` of a lottery's `lottery:drawn` push (the outbox entry's id): the SDK gives a result
 * it finds in a rejoin's ack the same id, so a viewer who also gets the push sees the result once.
 */
export function lotteryDrawnAnnouncementId(lotteryId: string): string {
  return `lottery.drawn-${lotteryId}`;
}

/**
 * The `announcementId` of a quiz's `quiz:result` push (the outbox entry's id): the SDK gives a result it
 * finds in a rejoin's ack the same id, so a viewer who also gets the push sees the result once.
 */
export function quizResultAnnouncementId(quizId: string): string {
  return `quiz.result-${quizId}`;
}
