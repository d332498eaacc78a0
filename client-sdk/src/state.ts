/** The client's connection state, as centrifuge-js models it: explicit, with the reason for each change. */
export type ClientState = 'disconnected' | 'connecting' | 'connected';

export type DisconnectReason =
  | 'client_closed'
  | 'unauthorized'
  | 'origin_refused'
  | 'transport_lost'
  | 'server_closed'
  | 'token_expired'
  /** The server node is shutting down; the SDK reconnects (another node answers). */
  | 'server_draining'
  /** The client read too slowly and the node's buffer for it passed its cap; the SDK reconnects and catches up. */
  | 'slow_consumer'
  /** The server does not speak this SDK's protocol version: final. */
  | 'unsupported_protocol'
  /** `connect()` gave up: the server could not be reached in `connectAttempts` tries or `connectTimeoutMs`. */
  | 'unreachable'
  /** Final: the server ended the session and reconnecting would not help (see `SessionEndReason`). */
  | 'banned'
  | 'too_many_connections';

export interface StateChange {
  state: ClientState;
  previous: ClientState;
  reason?: DisconnectReason;
  message?: string;
}
