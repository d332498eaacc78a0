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
import type { JoinData, SessionEndReason } from './protocol/room.js';
// Values from the zod-free modules only: importing a schema file here would load zod with the SDK.
import {
  FINAL_SESSION_END_REASONS,
  HEARTBEAT_INTERVAL_MS,
  lotteryDrawnAnnouncementId,
  quizResultAnnouncementId,
  SESSION_END_REASONS,
} from './protocol/constants.js';
import { PROTOCOL_VERSION } from './protocol/version.js';
import { StickyroomError } from './errors.js';
import type { ClientState, DisconnectReason, StateChange } from './state.js';
import { backoffDelay, drainDelay, type BackoffOptions } from './backoff.js';
import { ChatCursor } from './chat-cursor.js';
import { refreshLeadMs, tokenTimes } from './token-expiry.js';
import { SeenIds } from './seen-ids.js';

export interface ClientOptions {
  /** Server URL, e.g. `http://localhost:3000`. */
  url: string;
  /**
   * A JWT, or a function that returns a fresh one: called for every (re)connection, and again before the
   * current token expires (60 s ahead, or a quarter of its lifetime if shorter), whose answer is sent to
   * the server (`session:refresh`) so the session outlives the first token.
   */
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
  /**
   * Waits between reconnect attempts: random between `minDelayMs` (0.5 s) and a ceiling doubling up to
   * `maxDelayMs` (20 s); after a node said it is draining, the first wait is spread over `drainSpreadMs` (5 s).
   */
  reconnect?: BackoffOptions & { random?: () => number };
  /** `connect()` gives up (rejects with `unavailable`) after this many failed attempts. Default 3. */
  connectAttempts?: number;
  /** ... or after this long, whichever comes first. Default 20 s. */
  connectTimeoutMs?: number;
  /** How long a hole in a stream's chat ids may stay open before the missing messages are fetched. Default 1 s. */
  gapFetchMs?: number;
  /** Extra socket.io-client options (timeouts, paths, etc.). Reconnecting is the SDK's own: `reconnection` is always off. */
  socketOptions?: Record<string, unknown>;
}

/** Events the client emits besides the server's pushes. */
export interface ClientEvents {
  state: (change: StateChange) => void;
  /** After a reconnect the client joins its streams again by itself; this carries each fresh snapshot. */
  rejoined: (data: JoinData) => void;
  /** A stream could not be joined again after a reconnect. */
  rejoinFailed: (e: { streamId: string; error: StickyroomError }) => void;
  /** The session now ends at `expiresAt`: a fresh token from the token function was accepted. */
  tokenRefreshed: (e: { expiresAt: number }) => void;
  /**
   * Something went wrong outside any request: a listener threw (`event` names what it was listening to),
   * or a token refresh failed (`event` is `tokenRefreshed`). Without an `error` listener it goes to the console.
   */
  error: (e: { error: unknown; event: string }) => void;
}

type Handler = (payload: never) => void;
type AnyEvent = PushName | keyof ClientEvents;
type Listener<E extends AnyEvent> = E extends PushName
  ? (payload: PushPayload<E>) => void
  : E extends keyof ClientEvents
    ? ClientEvents[E]
    : never;

const SEEN_PER_STREAM = 500;
/** Answers after which asking again for missed chat messages may succeed. */
const TRANSIENT = new Set<string>(['unavailable', 'timeout', 'rate_limited', 'disconnected', 'internal']);

/**
 * One connection to stickyroom. Requests return promises of the ack's data or reject with a
 * `StickyroomError` carrying the server's code; pushes arrive through typed `on()` subscriptions.
 */
export class StickyroomClient {
  readonly socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  private readonly listeners = new Map<string, Set<Handler>>();
  private readonly joined = new Set<string>();
  /** The referral code each stream was joined with: sent again when rejoining (it credits once at most). */
  private readonly refs = new Map<string, string>();
  /** Per stream: how far its chat arrived in order (see ChatCursor). */
  private readonly cursors = new Map<string, ChatCursor>();
  private readonly gapTimers = new Map<string, ReturnType<typeof setTimeout>>();
  /**
   * Chat pushed while a stream's join or catch-up (a rejoin or a gap fetch) is asked for: told after the
   * answer's messages, which are older, so a viewer never sees a sender's later message before the earlier ones.
   */
  private readonly heldChat = new Map<string, ChatMessage[]>();
  private readonly seen = new Map<string, Set<string>>();
  /** Per stream: the oldest chat message id this client has (join ack, pages, live), where `olderMessages` pages from. */
  private readonly oldest = new Map<string, number>();
  /** Per stream: how many times leave() was called, so a join that was answered after one knows it was undone. */
  private readonly leaves = new Map<string, number>();
  private heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private pendingConnect: { resolve: () => void; reject: (e: StickyroomError) => void; attempts: number; timer: ReturnType<typeof setTimeout> } | undefined;
  private _state: ClientState = 'disconnected';
  private everConnected = false;
  private closed = true;
  private attempt = 0;
  /** Why the server is about to close the connection (`session:ended`), for the state change. */
  private endReason: SessionEndReason | undefined;
  /** The token of the current session: its expiry (ms) and when it was obtained. */
  private session: { expiresAt: number; obtainedAt: number; issuedAt?: number } | undefined;
  /** Announcement ids already delivered: the server's outbox delivers at least once, the app sees each once. */
  private readonly announcements = new SeenIds();
  /** Drops whose `coupon:ended` the app was told (by the push, or by a `sold_out` claim ack): each is told once. */
  private readonly endedDrops = new SeenIds(256);
  private readonly ackTimeoutMs: number;
  private readonly visible: () => boolean;
  private readonly detachVisibility: (() => void) | undefined;

  constructor(private readonly options: ClientOptions) {
    this.ackTimeoutMs = options.ackTimeoutMs ?? 10_000;
    this.visible = options.visible ?? defaultVisibility;
    this.socket = io(options.url, {
      autoConnect: false,
      transports: options.transports ?? ['websocket', 'polling'],
      auth: (cb: (data: object) => void) => {
        this.fetchToken().then(
          (t) => {
            this.noteToken(t);
            cb({ token: t, protocol: PROTOCOL_VERSION });
          },
          () => cb({ token: '', protocol: PROTOCOL_VERSION }),
        );
      },
      ...options.socketOptions,
      reconnection: false,
    });
    this.wireSocket();
    this.detachVisibility = this.watchVisibility();
  }

  get state(): ClientState {
    return this._state;
  }

  /**
   * Connects and resolves once connected. Rejects with a `StickyroomError`: `unauthorized` (the server's
   * reason as message, e.g. an expired token), `unsupported_protocol`, `forbidden` (origin refused), or
   * `unavailable` when the server could not be reached in `connectAttempts` tries or `connectTimeoutMs`.
   * Once connected, a lost connection is retried with backoff until `close()`.
   */
  connect(): Promise<this> {
    if (this.socket.connected) return Promise.resolve(this);
    return new Promise((resolve, reject) => {
      const previous = this.pendingConnect;
      const timeoutMs = this.options.connectTimeoutMs ?? 20_000;
      const timer = setTimeout(() => this.giveUp(`could not reach ${this.options.url} within ${timeoutMs} ms`), timeoutMs);
      this.pendingConnect = {
        resolve: () => {
          previous?.resolve();
          resolve(this);
        },
        reject: (e) => {
          previous?.reject(e);
          reject(e);
        },
        attempts: 0,
        timer,
      };
      if (previous) clearTimeout(previous.timer);
      this.closed = false;
      this.setState('connecting');
      clearTimeout(this.reconnectTimer);
      this.socket.connect();
    });
  }

  /** Closes the connection for good: no reconnect, heartbeats stop. */
  close(): void {
    this.closed = true;
    this.stopHeartbeats();
    this.detachVisibility?.();
    this.clearTimers();
    this.settleConnect(new StickyroomError('disconnected', 'closed before connecting'));
    this.socket.disconnect();
    this.setState('disconnected', 'client_closed');
  }

  /**
   * Whether socket.io-client itself may send a packet again (its `retries` option, passed in
   * `socketOptions`): a send is then not known to be the first one.
   */
  protected get resendsPackets(): boolean {
    return Number(this.options.socketOptions?.retries ?? 0) > 0;
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
        // a claim answered sold_out stands for the sell-out's coupon:ended, which the server no longer sends this socket
        if (event === 'coupon:claim' && res.error.code === 'sold_out') this.soldOutAck((payload as { dropId: string }).dropId, res.error.claimed);
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

  /**
   * Joins a stream's room: the snapshot (state, counts, chat history, open quiz/lottery/drops). `ref` is
   * the code of a share link (`?ref=` of the page's address): the ack's `referral` says what it did.
   */
  async join(streamId: string, options: { ref?: string } = {}): Promise<JoinData> {
    // The cursor exists before the ack: a message pushed while the snapshot is read counts too.
    const cursor = this.cursors.get(streamId) ?? new ChatCursor();
    this.cursors.set(streamId, cursor);
    let data: JoinData;
    if (options.ref) this.refs.set(streamId, options.ref);
    const leavesBefore = this.leaves.get(streamId) ?? 0;
    // The server puts the socket in the room before it reads the snapshot, so chat may be pushed before the
    // ack: it is held, and told once the caller has the snapshot (see release), without what the snapshot has.
    const hold = this.holdChat(streamId);
    try {
      data = await this.request('room:join', options.ref ? { streamId, ref: options.ref } : { streamId });
    } catch (err) {
      if (!this.joined.has(streamId)) {
        this.cursors.delete(streamId);
        this.refs.delete(streamId);
      }
      hold.release();
      throw err;
    }
    // leave() was called while the join was on its way: the server has applied both, the leave last (the
    // socket is out of the room), so this client is not in the stream either
    if ((this.leaves.get(streamId) ?? 0) !== leavesBefore) throw new StickyroomError('conflict', 'the stream was left before this join was answered');
    this.joined.add(streamId);
    this.noteAnnounced(data, false);
    this.remember(streamId, data.chat);
    this.noteOldest(streamId, data.chat);
    cursor.settle(data.chat[data.chat.length - 1]?.id);
    // after the code that awaits this join has run (a macrotask comes after every microtask), so an app that
    // shows the snapshot on the line after `await join()` has it before the first newer message
    setTimeout(hold.release, 0);
    this.startHeartbeats();
    if (this.options.heartbeats !== false) void this.heartbeat(streamId).catch(() => {});
    return data;
  }

  async leave(streamId: string): Promise<void> {
    this.leaves.set(streamId, (this.leaves.get(streamId) ?? 0) + 1);
    this.joined.delete(streamId);
    this.refs.delete(streamId);
    this.seen.delete(streamId);
    this.oldest.delete(streamId);
    this.cursors.delete(streamId);
    this.heldChat.delete(streamId);
    clearTimeout(this.gapTimers.get(streamId));
    this.gapTimers.delete(streamId);
    if (this.joined.size === 0) this.stopHeartbeats();
    await this.request('room:leave', { streamId });
  }

  /**
   * One page of a stream's hot history (the newest messages the server keeps, CHAT_HISTORY): the newest
   * `limit` (1–50, default 50) messages older than `beforeId`, or the newest of all without it, oldest first.
   * `more`: older ones remain; pass `messages[0].id` as the next `beforeId`. Needs `join` first.
   * Answers `rate_limited` (with `retryAfterMs`) past 5 pages a second.
   */
  chatHistory(streamId: string, options: { beforeId?: string; limit?: number } = {}): Promise<Replies['chat:history']> {
    const payload: RequestInput<'chat:history'> = { streamId };
    if (options.beforeId !== undefined) payload.beforeId = options.beforeId;
    if (options.limit !== undefined) payload.limit = options.limit;
    return this.request('chat:history', payload);
  }

  /**
   * "Load earlier": the page of messages just before the oldest one this client has for a joined stream
   * (from the join, earlier pages or live chat), oldest first. Call again while `more` is true; the pages
   * neither overlap nor skip a message. The messages are returned, not emitted as `chat:message`.
   *
   * @example
   * const room = await viewer.join(streamId); // the newest 20 messages
   * const { messages, more } = await viewer.olderMessages(streamId);
   * prepend(messages);
   * loadEarlierButton.hidden = !more;
   */
  async olderMessages(streamId: string, options: { limit?: number } = {}): Promise<Replies['chat:history']> {
    const oldest = this.oldest.get(streamId);
    // nothing known yet: the join's chat was empty, so no message is older than the first one ('1')
    const beforeId = String(oldest ?? 1);
    const page = await this.chatHistory(streamId, { beforeId, ...options });
    if (this.cursors.has(streamId)) this.noteOldest(streamId, page.messages);
    return page;
  }

  private noteOldest(streamId: string, messages: readonly ChatMessage[]): void {
    let oldest = this.oldest.get(streamId);
    for (const m of messages) {
      const id = Number(m.id);
      if (Number.isSafeInteger(id) && id > 0 && (oldest === undefined || id < oldest)) oldest = id;
    }
    if (oldest !== undefined) this.oldest.set(streamId, oldest);
  }

  /** Streams this client is in (and will rejoin after a reconnect). */
  get streams(): string[] {
    return [...this.joined.keys()];
  }

  heartbeat(streamId: string): Promise<Replies['presence:heartbeat']> {
    return this.request('presence:heartbeat', { streamId, visible: this.visible() });
  }

  /**
   * A `coupon:claim` answered `sold_out`: the server leaves this socket out of the drop's `coupon:ended`
   * push (the ack told it), so the app hears `coupon:ended` from here, once per drop: whichever of the ack
   * and a push comes first is told, the other is dropped (endedDrops). A server that sends no `claimed`
   * (older than this) still sends the push: nothing is made up here.
   */
  private soldOutAck(dropId: string, claimed: number | undefined): void {
    if (claimed === undefined || typeof dropId !== 'string') return;
    const dot = dropId.lastIndexOf('.');
    if (dot <= 0 || !this.endedDrops.first(dropId)) return;
    this.emitLocal('coupon:ended', { dropId, streamId: dropId.slice(0, dot), reason: 'sold_out', claimed });
  }

  private emitLocal(event: string, payload: unknown): void {
    for (const l of this.listeners.get(event) ?? []) {
      try {
        (l as (p: unknown) => void)(payload);
      } catch (error) {
        // a listener's error must not break delivery to the others, nor the SDK's own work
        this.reportError(error, event);
      }
    }
  }

  private reportError(error: unknown, event: string): void {
    const handlers = event === 'error' ? undefined : this.listeners.get('error');
    if (!handlers || handlers.size === 0) {
      const report = (globalThis as { reportError?: (e: unknown) => void }).reportError;
      if (report) report(error);
      else console.error(`stickyroom: a listener of "${event}" threw`, error);
      return;
    }
    for (const l of handlers) {
      try {
        (l as (p: unknown) => void)({ error, event });
      } catch {
        // an error listener that throws has nowhere left to report to
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
    return fresh;
  }

  private deliverChat(streamId: string, messages: ChatMessage[]): void {
    const held = this.heldChat.get(streamId);
    if (held) {
      held.push(...messages);
      return;
    }
    for (const m of this.remember(streamId, messages)) this.emitLocal('chat:message', m);
    const cursor = this.cursors.get(streamId);
    // a stream being joined or joined: its cursor exists from before the join's ack until leave
    if (cursor) this.noteOldest(streamId, messages);
    if (cursor?.receive(messages.map((m) => m.id))) this.watchGap(streamId);
  }

  /**
   * Holds a stream's chat pushes until `release()`, which tells them in id order (repeats dropped). The first
   * hold in place owns it; one asked for meanwhile adds to it, and its release does nothing.
   */
  private holdChat(streamId: string): { release(): void } {
    if (this.heldChat.has(streamId)) return { release: () => {} };
    const held: ChatMessage[] = [];
    this.heldChat.set(streamId, held);
    return {
      // once: a second call, or one after leave() dropped this hold (or a later join made its own), finds another
      release: () => {
        if (this.heldChat.get(streamId) !== held) return;
        this.heldChat.delete(streamId);
        this.deliverChat(streamId, byId(held));
      },
    };
  }

  /** A hole in the ids that stays open past `gapFetchMs` is a lost message: fetch what is missing. */
  private watchGap(streamId: string): void {
    if (this.gapTimers.has(streamId)) return;
    const timer = setTimeout(() => {
      this.gapTimers.delete(streamId);
      if (this.cursors.get(streamId)?.hasHole && this.socket.connected) void this.catchUp(streamId, false);
    }, this.options.gapFetchMs ?? 1000);
    (timer as { unref?: () => void }).unref?.();
    this.gapTimers.set(streamId, timer);
  }

  /**
   * Joins again after the in-order position: the ack carries exactly the messages after it (or the whole
   * hot history when they were trimmed). Every id seen before asking is then settled.
   */
  private async catchUp(streamId: string, rejoin: boolean): Promise<void> {
    const cursor = this.cursors.get(streamId);
    if (!cursor) return;
    const settledTo = cursor.highest;
    const payload: RequestInput<'room:join'> = { streamId };
    const ref = this.refs.get(streamId);
    if (ref) payload.ref = ref;
    const after = cursor.resumeAfter;
    if (after) payload.lastMessageId = after;
    const hold = this.holdChat(streamId);
    try {
      const data = await this.request('room:join', payload);
      // held with the pushes (by this catch-up or the one in flight), told in id order on release
      this.deliverChat(streamId, data.chat);
      hold.release();
      this.noteAnnounced(data, true);
      const last = data.chat[data.chat.length - 1]?.id;
      cursor.settle(last !== undefined && Number(last) > settledTo ? last : settledTo > 0 ? String(settledTo) : undefined);
      if (rejoin) this.emitLocal('rejoined', data);
    } catch (err) {
      hold.release();
      if (rejoin) this.emitLocal('rejoinFailed', { streamId, error: err });
      else if (TRANSIENT.has((err as StickyroomError).code)) this.watchGap(streamId);
      // refused for good (banned, stream gone): stop asking, the hole stays unfilled
      else cursor.settle(String(settledTo));
    }
  }

  /**
   * Results in a join ack (a drawn lottery, the last closed quiz's result), under the id of the push that
   * announces them (`lottery:drawn`, `quiz:result`), so the app sees each once. After a reconnect (or a
   * gap fetch) a result not seen yet is told as that push: a viewer whose node died before the push
   * reached them, or who was away when it went out, gets no replay. On a first join the app reads them
   * from the ack, so only the ids are remembered (a late repeat of the push is then dropped).
   */
  private noteAnnounced(data: JoinData, tell: boolean): void {
    const drawn = data.lottery?.result;
    if (drawn) {
      const announcementId = lotteryDrawnAnnouncementId(drawn.lotteryId);
      if (this.announcements.first(announcementId) && tell) this.emitLocal('lottery:drawn', { ...drawn, announcementId });
    }
    const quiz = data.quizResult;
    if (quiz) {
      const announcementId = quizResultAnnouncementId(quiz.quizId);
      if (this.announcements.first(announcementId) && tell) this.emitLocal('quiz:result', { ...quiz, announcementId });
    }
  }

  private wireSocket(): void {
    const s = this.socket;
    s.on('connect', () => {
      const again = this.everConnected;
      this.everConnected = true;
      this.attempt = 0;
      this.endReason = undefined;
      this.setState('connected');
      this.settleConnect();
      this.scheduleRefresh();
      if (again) void this.rejoinAll();
    });
    s.on('disconnect', (reason) => {
      clearTimeout(this.refreshTimer);
      if (this._state === 'disconnected' || reason === 'io client disconnect') return;
      const r: DisconnectReason = this.endReason ?? (reason === 'io server disconnect' ? 'server_closed' : 'transport_lost');
      this.endReason = undefined;
      this.setState('connecting', r);
      this.scheduleReconnect(r === 'server_draining');
    });
    s.on('connect_error', (err: Error & { data?: { code?: string }; description?: unknown }) => {
      const refused = refusalOf(err);
      if (refused) {
        // Trying again would be refused the same way: stop, and tell connect()'s caller why.
        this.socket.disconnect();
        this.setState('disconnected', refused.reason, err.message);
        this.settleConnect(new StickyroomError(refused.code, err.message));
        return;
      }
      this.setState('connecting', 'transport_lost', err.message);
      const pending = this.pendingConnect;
      if (pending && ++pending.attempts >= (this.options.connectAttempts ?? 3)) {
        this.giveUp(`could not reach ${this.options.url} after ${pending.attempts} attempts: ${err.message}`);
        return;
      }
      this.scheduleReconnect();
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
      if (event === 'coupon:ended') {
        // a drop ends once: a push after the sold_out ack that told the app already (or a repeat) is dropped
        const dropId = (payload as { dropId?: unknown } | null)?.dropId;
        if (typeof dropId === 'string' && !this.endedDrops.first(dropId)) return;
      }
      if (event === 'session:ended') {
        const said = (payload as { reason?: unknown } | null)?.reason;
        const reason: SessionEndReason | undefined = SESSION_END_REASONS.find((r) => r === said);
        if (reason !== undefined && FINAL_SESSION_END_REASONS.includes(reason)) {
          // Final: reconnecting would be refused (banned) or would close this user's next socket
          // (too_many_connections), forever. Stop here; the app may call connect() again itself.
          this.stopHeartbeats();
          this.clearTimers();
          this.setState('disconnected', reason);
          this.socket.disconnect();
        } else if (reason !== undefined) {
          // token_expired, server_draining: the server closes the socket next; the SDK reconnects with backoff.
          this.endReason = reason;
        }
      }
      this.emitLocal(event, payload);
    });
  }

  private async rejoinAll(): Promise<void> {
    for (const streamId of this.joined) await this.catchUp(streamId, true);
  }

  private async fetchToken(): Promise<string> {
    const token = this.options.token;
    return typeof token === 'function' ? token() : token;
  }

  private noteToken(token: string): void {
    const times = tokenTimes(token);
    this.session = times ? { ...times, obtainedAt: Date.now() } : undefined;
  }

  /** With a token function, fetches the next token before this one expires and hands it to the server. */
  private scheduleRefresh(): void {
    clearTimeout(this.refreshTimer);
    const session = this.session;
    if (!session || typeof this.options.token !== 'function') return;
    const lead = refreshLeadMs(session.expiresAt, session.issuedAt ?? session.obtainedAt);
    const wait = Math.max(0, session.expiresAt - lead - Date.now());
    this.refreshTimer = setTimeout(() => void this.refreshToken(), Math.min(wait, 2 ** 31 - 1));
    (this.refreshTimer as { unref?: () => void }).unref?.();
  }

  private async refreshToken(): Promise<void> {
    const current = this.session;
    if (!current || !this.socket.connected) return;
    try {
      const token = await this.fetchToken();
      const times = tokenTimes(token);
      if (!times || times.expiresAt <= current.expiresAt) {
        // The token function answered the same (or an older) token: ask again halfway to the expiry.
        const left = current.expiresAt - Date.now();
        if (left > 1000) {
          this.refreshTimer = setTimeout(() => void this.refreshToken(), left / 2);
          (this.refreshTimer as { unref?: () => void }).unref?.();
        }
        return;
      }
      const { expiresAt } = await this.request('session:refresh', { token });
      this.session = { ...times, obtainedAt: Date.now() };
      this.scheduleRefresh();
      this.emitLocal('tokenRefreshed', { expiresAt });
    } catch (error) {
      // The session ends at the old expiry and the SDK reconnects with a fresh token then.
      this.reportError(error, 'tokenRefreshed');
    }
  }

  /** `draining`: the node said it is stopping, so the first attempt is spread over the drain window. */
  private scheduleReconnect(draining = false): void {
    if (this.closed) return;
    clearTimeout(this.reconnectTimer);
    const { random, ...bounds } = this.options.reconnect ?? {};
    const delay = draining ? drainDelay(bounds, random) : backoffDelay(this.attempt++, bounds, random);
    if (draining) this.attempt = 1;
    this.reconnectTimer = setTimeout(() => {
      if (!this.closed && !this.socket.connected) this.socket.connect();
    }, delay);
  }

  /** connect() could not reach the server: stop trying and reject. */
  private giveUp(message: string): void {
    if (!this.pendingConnect) return;
    this.closed = true;
    this.clearTimers();
    this.socket.disconnect();
    this.setState('disconnected', 'unreachable', message);
    this.settleConnect(new StickyroomError('unavailable', message));
  }

  private settleConnect(error?: StickyroomError): void {
    const pending = this.pendingConnect;
    if (!pending) return;
    this.pendingConnect = undefined;
    clearTimeout(pending.timer);
    if (error) pending.reject(error);
    else pending.resolve();
  }

  private clearTimers(): void {
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.refreshTimer);
    for (const t of this.gapTimers.values()) clearTimeout(t);
    this.gapTimers.clear();
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
    const doc = pageDocument();
    if (!doc || this.options.heartbeats === false) return undefined;
    // Tell the server at once when the page is hidden or shown, so credit stops and starts on time.
    const onChange = () => this.beatAll();
    doc.addEventListener('visibilitychange', onChange);
    return () => doc.removeEventListener('visibilitychange', onChange);
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

/** A handshake refusal that trying again would meet again; undefined for a network failure worth retrying. */
function refusalOf(err: Error & { data?: { code?: string }; description?: unknown }): { code: 'unauthorized' | 'unsupported_protocol' | 'forbidden'; reason: DisconnectReason } | undefined {
  if (err.data?.code === 'unauthorized') return { code: 'unauthorized', reason: 'unauthorized' };
  if (err.data?.code === 'unsupported_protocol') return { code: 'unsupported_protocol', reason: 'unsupported_protocol' };
  // The origin check answers the handshake's HTTP request with 403 (a browser hides the status: retried then).
  const d = err.description as { message?: unknown } | number | undefined;
  const detail = typeof d === 'object' && d !== null ? String(d.message) : String(d);
  if (/origin/i.test(err.message) || /\b403\b/.test(detail)) return { code: 'forbidden', reason: 'origin_refused' };
  return undefined;
}

/**
 * The page's document, in a browser. Typed here, with just what the SDK reads, so that the SDK compiles
 * in a project without the DOM lib (a Node service using it).
 */
interface PageDocument {
  visibilityState?: string;
  addEventListener(type: 'visibilitychange', listener: () => void): void;
  removeEventListener(type: 'visibilitychange', listener: () => void): void;
}

function pageDocument(): PageDocument | undefined {
  return (globalThis as { document?: PageDocument }).document;
}

function defaultVisibility(): boolean {
  return pageDocument()?.visibilityState !== 'hidden';
}

/** Chat messages in id order (ids are a per-stream sequence); a repeat is dropped when told (`remember`). */
function byId(messages: ChatMessage[]): ChatMessage[] {
  return [...messages].sort((a, b) => Number(a.id) - Number(b.id));
}
