/**
 * The wire protocol this SDK speaks, sent in the handshake (`auth: { token, protocol }`). The server
 * refuses a version it does not speak with `connect_error` `{ code: 'unsupported_protocol' }` and a
 * message naming both versions; a handshake without one is taken as version 1 (clients older than this field).
 */
export const PROTOCOL_VERSION = 3;
/**
 * The first protocol whose clients hear a coupon sell-out from a `sold_out` claim ack (its `claimed`) rather
 * than from the `coupon:ended` push, which the server then leaves out for that socket; the SDK tells its
 * app `coupon:ended` itself. Sockets of protocol 1 keep getting the push.
 */
export const SOLD_OUT_ACK_PROTOCOL = 2;
/**
 * The first protocol whose `coupon:claim` may carry `fresh: true` (the first send of an opId made just now);
 * a server older than it refuses the field (the schema is strict), so a client sends it only to a server
 * that speaks this version.
 */
export const FRESH_CLAIM_PROTOCOL = 3;
