export { StickyroomClient, type ClientOptions, type ClientEvents } from './client.js';
export { ViewerClient, createViewerClient } from './viewer.js';
export { StreamerClient, createStreamerClient } from './streamer.js';
export { StickyroomError } from './errors.js';
export type { ClientState, DisconnectReason, StateChange } from './state.js';
// What a client needs at run time, none of it built on zod: the protocol's constants and the fair-draw check.
export * from './protocol/constants.js';
export * from './protocol/version.js';
export * from './protocol/fairness.js';
// The wire types cost nothing at run time. The zod schemas themselves: `@stickyroom/sdk/protocol`.
export type * from './protocol/index.js';
export { readTokenClaims } from './token-expiry.js';
