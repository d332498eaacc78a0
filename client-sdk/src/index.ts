export { StickyroomClient, type ClientOptions, type ClientEvents } from './client.js';
export { ViewerClient, createViewerClient } from './viewer.js';
export { StreamerClient, createStreamerClient } from './streamer.js';
export { StickyroomError } from './errors.js';
export type { ClientState, DisconnectReason, StateChange } from './state.js';
export * from './protocol/index.js';
