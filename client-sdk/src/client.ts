import { io, type Socket } from 'socket.io-client';
import type { Ack } from './protocol/errors.js';
import type {
  ClientToServerEvents,
  PushName,
  PushPayload,
  Replies,
  RequestInput,
  RequestName,
  ServerToClientEvents,
} from './protocol/events.js';
import type { ChatMessage } from './protocol/chat.js';
import { FINAL_SESSION_END_REASONS, SessionEnded, type JoinData } from './protocol/room.js';
import { HEARTBEAT_INTERVAL_MS } from './protocol/presence.js';
import { StickyroomError } from './errors.js';
import type { ClientState, DisconnectReason, StateChange } from './state.js';
import { SeenIds } from './seen-ids.js';

export interface ClientOptions {
  /** Server URL, e.g. `http://localhost:3000`. */
  url: string;
  /** A JWT, or a function that returns a fresh one for every (re)connection. */
  token: string | (() => string | Promise<string>);
  /** How long a request waits for its ack. Default 10 s. */
  ackTimeoutMs?: number;
  /** Heartbeat period; the server expects 15 s. */
  heartbeatMs?: number;
  /** Send presence heartbeats for joined streams (viewers: yes). */
  heartbeats?: boolean;
  /** Where the page's visibility comes from; defaults to `document.visibilityState` in a browser, else visible. */
  visible?: () => boolean;
  /** Transports to use; default websocket first with polling fallback. */
  transports?: ('websocket' | 'polling')[];
  /** Extra socket.io-client options (reconnection delays, etc.). */
  socketOptions?: Record<string, unknown>;
}

/** Events the client emits besides the server's pushes. */
export interface ClientEvents {
  state: (change: StateChange) => void;
  /** After a reconnect the client joins its streams again by itself; this carries each fresh snapshot. */
  rejoined: (data: JoinData) => void;
  /** A stream could not be joined again after a reconnect. */
  rejoinFailed: (e: { streamId: string; error: StickyroomError }) => void;
}

type Handler = (payload: never) => void;
type AnyEvent = PushName | keyof ClientEvents;
type Listener<E extends AnyEvent> = E extends PushName
  ? (payload: PushPayload<E>) => void
  : E extends keyof ClientEvents
    ? ClientEvents[E]
    : never;

const SEEN_PER_STREAM = 500;

/**
 * One connection to stickyroom. Requests return promises of the ack's data or reject with a
 * `StickyroomError` carrying the server's code; pushes arrive through typed `on()` subscriptions.
 */
export class StickyroomClient {
  readonly socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  private readonly listeners = new Map<string, Set<Handler>>();
  private readonly joined = new Map<string, { lastMessageId?: string }>();
  private readonly seen = new Map<string, Set<string>>();
  private heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  private _state: ClientState = 'disconnected';
  private everConnected = false;
  /** Announcement ids already delivered: the server's outbox delivers at least once, the app sees each once. */
  private readonly announcements = new SeenIds();
  private readonly ackTimeoutMs: number;
  private readonly visible: () => boolean;
  private readonly detachVisibility: (() => void) | undefined;

  constructor(private readonly options: ClientOptions) {
    this.ackTimeoutMs = options.ackTimeoutMs ?? 10_000;
    this.visible = options.visible ?? defaultVisibility;
    const token = options.token;
    this.socket = io(options.url, {
      autoConnect: false,
      transports: options.transports ?? ['websocket', 'polling'],
      auth: (cb: (data: object) => void) => {
        Promise.resolve(typeof token === 'function' ? token() : token).then(
          (t) => cb({ token: t }),
          () => cb({ token: '' }),
        );
      },
      ...options.socketOptions,
    });
    this.wireSocket();
    this.detachVisibility = this.watchVisibility();
  }

  get state(): ClientState {
    return this._state;
  }

  /** Connects and resolves once connected; rejects with `unauthorized` if the server refuses the token. */
  connect(): Promise<this> {
    if (this.socket.connected) return Promise.resolve(this);
    return new Promise((resolve, reject) => {
      const onConnect = () => {
        this.socket.off('connect_error', onError);
        resolve(this);
      };
      const onError = (err: Error & { data?: { code?: string } }) => {
        if (err.data?.code === 'unauthorized' || /origin/i.test(err.message)) {
          this.socket.off('connect', onConnect);
          this.socket.off('connect_error', onError);
          reject(new StickyroomError('unauthorized', err.message));
        }
      };
      this.socket.once('connect', onConnect);
      this.socket.on('connect_error', onError);
      this.setState('connecting');
      this.socket.connect();
    });
  }

  /** Closes the connection for good: no reconnect, heartbeats stop. */
  close(): void {
    this.stopHeartbeats();
    this.detachVisibility?.();
    this.socket.disconnect();
    this.setState('disconnected', 'client_closed');
  }

  /** Sends one event and resolves the ack's data; rejects with the server's error code. */
  request<E extends RequestName>(event: E, payload: RequestInput<E>): Promise<Replies[E]> {
    return new Promise((resolve, reject) => {
      if (!this.socket.connected) {
        reject(new StickyroomError('disconnected', 'not connected'));
        return;
      }
      const timed = this.socket.timeout(this.ackTimeoutMs) as unknown as {
        emit(e: string, p: unknown, cb: (err: Error | null, res: Ack<Replies[E]>) => void): void;
      };
      timed.emit(event, payload, (err, res) => {
        if (err) return reject(new StickyroomError('timeout', `${event}: no answer in ${this.ackTimeoutMs} ms`));
        if (!res || typeof res !== 'object') return reject(new StickyroomError('internal', `${event}: malformed ack`));
        if (res.ok) {
          const { ok: _ok, ...data } = res as { ok: true } & Record<string, unknown>;
          return resolve(data as Replies[E]);
        }
        reject(new StickyroomError(res.error.code, res.error.message, res.error));
      });
    });
  }

  /** Subscribes to a server push or a client event; returns the unsubscribe function. */
  on<E extends AnyEvent>(event: E, listener: Listener<E>): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as Handler);
    return () => set.delete(listener as Handler);
  }

  /** Resolves with the next push of `event` that passes `filter`. */
  once<E extends PushName>(event: E, filter: (p: PushPayload<E>) => boolean = () => true, timeoutMs = 10_000): Promise<PushPayload<E>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new StickyroomError('timeout', `no ${event} within ${timeoutMs} ms`));
      }, timeoutMs);
      const off = this.on(event, ((p: PushPayload<E>) => {
        if (!filter(p)) return;
        clearTimeout(timer);
        off();
        resolve(p);
      }) as Listener<E>);
    });
  }

  /** Joins a stream's room: the snapshot (state, counts, chat history, open quiz/lottery/drops). */
  async join(streamId: string): Promise<JoinData> {
    const data = await this.request('room:join', { streamId });
    this.joined.set(streamId, {});
    this.remember(streamId, data.chat);
    this.startHeartbeats();
    if (this.options.heartbeats !== false) void this.heartbeat(streamId).catch(() => {});
    return data;
  }

  async leave(streamId: string): Promise<void> {
    this.joined.delete(streamId);
    this.seen.delete(streamId);
    if (this.joined.size === 0) this.stopHeartbeats();
    await this.request('room:leave', { streamId });
  }

  /** Streams this client is in (and will rejoin after a reconnect). */
  get streams(): string[] {
    return [...this.joined.keys()];
  }

  heartbeat(streamId: string): Promise<Replies['presence:heartbeat']> {
    return this.request('presence:heartbeat', { streamId, visible: this.visible() });
  }

  private emitLocal(event: string, payload: unknown): void {
    for (const l of this.listeners.get(event) ?? []) {
      try {
        (l as (p: unknown) => void)(payload);
      } catch {
        // a listener's error must not break delivery to the others
      }
    }
  }

  private remember(streamId: string, messages: ChatMessage[]): ChatMessage[] {
    let seen = this.seen.get(streamId);
    if (!seen) this.seen.set(streamId, (seen = new Set()));
    const fresh: ChatMessage[] = [];
    for (const m of messages) {
      if (seen.has(m.id)) continue;
      seen.add(m.id);
      fresh.push(m);
    }
    if (seen.size > SEEN_PER_STREAM) {
      const drop = seen.size - SEEN_PER_STREAM;
      let i = 0;
      for (const id of seen) {
        if (i++ >= drop) break;
        seen.delete(id);
      }
    }
    const last = messages[messages.length - 1];
    const j = this.joined.get(streamId);
    if (last && j) j.lastMessageId = last.id;
    return fresh;
  }

  private deliverChat(streamId: string, messages: ChatMessage[]): void {
    for (const m of this.remember(streamId, messages)) this.emitLocal('chat:message', m);
  }

  private wireSocket(): void {
    const s = this.socket;
    s.on('connect', () => {
      const again = this.everConnected;
      this.everConnected = true;
      this.setState('connected');
      if (again) void this.rejoinAll();
    });
    s.on('disconnect', (reason) => {
      if (this._state === 'disconnected') return;
      const r: DisconnectReason = reason === 'io server disconnect' ? 'server_closed' : reason === 'io client disconnect' ? 'client_closed' : 'transport_lost';
      this.setState(reason === 'io client disconnect' ? 'disconnected' : 'connecting', r);
      // socket.io-client does not reconnect after a server-side disconnect: do it ourselves
      if (reason === 'io server disconnect') setTimeout(() => s.connect(), 1000);
    });
    s.on('connect_error', (err: Error & { data?: { code?: string } }) => {
      const reason: DisconnectReason = err.data?.code === 'unauthorized' ? 'unauthorized' : 'transport_lost';
      this.setState(reason === 'unauthorized' ? 'disconnected' : 'connecting', reason, err.message);
    });
    s.onAny((event: string, payload: unknown) => {
      const announcementId = (payload as { announcementId?: unknown } | null)?.announcementId;
      if (typeof announcementId === 'string' && !this.announcements.first(announcementId)) return;
      if (event === 'chat:batch') {
        const b = payload as { streamId: string; messages: ChatMessage[] };
        this.deliverChat(b.streamId, b.messages);
        return;
      }
      if (event === 'chat:message') {
        const m = payload as ChatMessage;
        this.deliverChat(m.streamId, [m]);
        return;
      }
      if (event === 'session:ended') {
        const parsed = SessionEnded.safeParse(payload);
        const reason = parsed.success ? parsed.data.reason : undefined;
        if (reason === 'token_expired') this.setState('connecting', 'token_expired');
        if (reason !== undefined && FINAL_SESSION_END_REASONS.includes(reason)) {
          // Final: reconnecting would be refused (banned) or would close this user's next socket
          // (too_many_connections), forever. Stop here; the app may call connect() again itself.
          this.stopHeartbeats();
          this.setState('disconnected', reason);
          this.socket.disconnect();
        }
      }
      this.emitLocal(event, payload);
    });
  }

  private async rejoinAll(): Promise<void> {
    for (const [streamId, j] of this.joined) {
      try {
        const payload: RequestInput<'room:join'> = { streamId };
        if (j.lastMessageId) payload.lastMessageId = j.lastMessageId;
        const data = await this.request('room:join', payload);
        this.deliverChat(streamId, data.chat);
        this.emitLocal('rejoined', data);
      } catch (err) {
        this.emitLocal('rejoinFailed', { streamId, error: err });
      }
    }
  }

  private startHeartbeats(): void {
    if (this.heartbeatTimer || this.options.heartbeats === false) return;
    this.heartbeatTimer = setInterval(() => this.beatAll(), this.options.heartbeatMs ?? HEARTBEAT_INTERVAL_MS);
    (this.heartbeatTimer as { unref?: () => void }).unref?.();
  }

  private stopHeartbeats(): void {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
  }

  private beatAll(): void {
    if (!this.socket.connected) return;
    for (const streamId of this.joined.keys()) void this.heartbeat(streamId).catch(() => {});
  }

  private watchVisibility(): (() => void) | undefined {
    if (typeof document === 'undefined' || this.options.heartbeats === false) return undefined;
    // Tell the server at once when the page is hidden or shown, so credit stops and starts on time.
    const onChange = () => this.beatAll();
    document.addEventListener('visibilitychange', onChange);
    return () => document.removeEventListener('visibilitychange', onChange);
  }

  private setState(state: ClientState, reason?: DisconnectReason, message?: string): void {
    if (state === this._state && reason === undefined) return;
    const change: StateChange = { state, previous: this._state };
    if (reason) change.reason = reason;
    if (message) change.message = message;
    this._state = state;
    this.emitLocal('state', change);
  }
}

function defaultVisibility(): boolean {
  return typeof document === 'undefined' ? true : document.visibilityState !== 'hidden';
}
