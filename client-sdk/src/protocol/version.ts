/**
 * The wire protocol this SDK speaks, sent in the handshake (`auth: { token, protocol }`). The server
 * refuses a version it does not speak with `connect_error` `{ code: 'unsupported_protocol' }` and a
 * message naming both versions; a handshake without one is taken as version 1 (clients older than this field).
 */
export const PROTOCOL_VERSION = 1;
