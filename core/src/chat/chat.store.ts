import type { RedisClient } from '../redis/client.js';
import type { ChatMessage, ModerationAction, PinnedMessage, Role } from '@stickyroom/sdk/protocol';
import { ModerationAction as ModerationActionSchema } from '@stickyroom/sdk/protocol';
import type { Keys } from '../redis/keys.js';
import { pairs } from '../redis/replies.js';
import { chatKeys } from './chat.keys.js';
import { chatDelete, chatPin, chatSend, type ChatLimits } from './chat.scripts.js';

export type { ChatLimits };

/** The moderation log keeps this many newest actions per stream. */
export const MODERATION_LOG_CAP = 10_000;

/** Message ids are the per-stream sequence: decimal, no sign, no leading garbage. */
const MESSAGE_ID = /^[1-9][0-9]{0,14}$/;
/** What a rejoin resumes after: a message id, or '0', the start of the chat (a client that joined an empty one). */
const AFTER_ID = /^(0|[1-9][0-9]{0,14})$/;

export interface SendInput {
  streamId: string;
  userId: string;
  name: string;
  /** As the room sees it (`roleInRoom`), not as the token says. */
  role: Role;
  text: string;
  /** `wordsForMatching(text)` and `duplicateKey(text)` from chat.text.ts. */
  words: string;
  duplicateKey: string;
  now: number;
  /** Staff of the stream: no ban, mute, duplicate, slow-mode or rate checks. */
  exempt: boolean;
  /** Count the message in the sender's activity ledger, in the same script (the audience's messages). */
  countActivity: boolean;
}

/** A moderation log entry before the script adds the target and message it found. */
export type ModerationEntry = Omit<ModerationAction, 'target' | 'message'>;

/** Body of a JSON object without its opening brace, for scripts that prepend fields they look up. */
const tail = (o: object): string => JSON.stringify(o).slice(1);

export class ChatStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    private readonly limits: ChatLimits,
  ) {}

  private k(streamId: string) {
    return chatKeys(this.keys, streamId);
  }

  /** Checks every rule, appends the message and counts it as activity, atomically; throws the refusal. */
  async send(m: SendInput): Promise<ChatMessage> {
    const body = { streamId: m.streamId, userId: m.userId, name: m.name, text: m.text, at: m.now, role: m.role };
    const id = await chatSend.run(this.redis, this.keys, {
      streamId: m.streamId,
      userId: m.userId,
      body: tail(body),
      words: m.words,
      duplicateKey: m.duplicateKey,
      now: m.now,
      exempt: m.exempt,
      countActivity: m.countActivity,
      limits: this.limits,
    });
    return { id, ...body };
  }

  /**
   * The join snapshot's chat: the newest `last` messages, or exactly those after `afterId`. `gap` is true
   * when messages after `afterId` already fell out of the hot history (or the id is not one of ours):
   * the whole hot history is returned then.
   */
  async history(streamId: string, last: number, afterId?: string): Promise<{ chat: ChatMessage[]; gap: boolean }> {
    const k = this.k(streamId);
    if (afterId === undefined) {
      return { chat: parseMessages(await this.redis.zrange(k.history, -last, -1)), gap: false };
    }
    const res = await this.redis.multi().hget(k.meta, 'trimmedTo').get(k.seq).zrange(k.history, 0, -1, 'WITHSCORES').exec();
    const trimmedTo = Number(res?.[0]?.[1] ?? 0);
    const seq = Number(res?.[1]?.[1] ?? 0);
    const flat = (res?.[2]?.[1] ?? []) as string[];
    const after = AFTER_ID.test(afterId) ? Number(afterId) : NaN;
    const all: string[] = [];
    const newer: string[] = [];
    for (const [message, id] of pairs(flat)) {
      all.push(message);
      if (Number(id) > after) newer.push(message);
    }
    // NaN (not an id of ours) fails both comparisons: a gap
    if (after >= trimmedTo && after <= seq) return { chat: parseMessages(newer), gap: false };
    return { chat: parseMessages(all), gap: true };
  }

  /**
   * One page of the hot history: the newest `limit` messages with an id below `beforeId` (of all, without
   * it), oldest first, and whether older ones remain. One command: ids are the scores.
   */
  async page(streamId: string, beforeId: string | undefined, limit: number): Promise<{ messages: ChatMessage[]; more: boolean }> {
    const max = beforeId === undefined ? '+inf' : `(${beforeId}`;
    const raw = await this.redis.zrevrangebyscore(this.k(streamId).history, max, '-inf', 'LIMIT', 0, limit + 1);
    const more = raw.length > limit;
    if (more) raw.length = limit;
    return { messages: parseMessages(raw.reverse()), more };
  }

  async pinned(streamId: string): Promise<PinnedMessage | null> {
    const raw = await this.redis.hget(this.k(streamId).meta, 'pinned');
    return raw ? (JSON.parse(raw) as PinnedMessage) : null;
  }

  async isBanned(streamId: string, userId: string): Promise<boolean> {
    return (await this.redis.sismember(this.k(streamId).banned, userId)) === 1;
  }

  /** For each user, in order: banned from the stream? (one command for the joins of a moment) */
  async areBanned(streamId: string, userIds: readonly string[]): Promise<boolean[]> {
    return (await this.redis.smismember(this.k(streamId).banned, ...userIds)).map((x) => x === 1);
  }

  /** Removes a message from the hot history; null when it is not there. */
  async delete(streamId: string, messageId: string, entry: ModerationEntry): Promise<{ message: ChatMessage; unpinned: boolean } | null> {
    if (!MESSAGE_ID.test(messageId)) return null;
    return chatDelete.run(this.redis, this.keys, { streamId, messageId, entry: tail(entry), logCap: MODERATION_LOG_CAP });
  }

  /**
   * Pins a message of the hot history (`messageId` null unpins). Answers the new pinned record, null after
   * an unpin, or `'not_found'` / `'unchanged'` (nothing was pinned).
   */
  async pin(
    streamId: string,
    messageId: string | null,
    pin: Omit<PinnedMessage, 'message'>,
    entry: ModerationEntry,
  ): Promise<PinnedMessage | null | 'not_found' | 'unchanged'> {
    if (messageId !== null && !MESSAGE_ID.test(messageId)) return 'not_found';
    return chatPin.run(this.redis, this.keys, { streamId, messageId, pin: tail(pin), entry: tail(entry), logCap: MODERATION_LOG_CAP });
  }

  async mute(streamId: string, userId: string, until: number, entry: ModerationAction): Promise<void> {
    const k = this.k(streamId);
    await this.redis.multi().hset(k.user(userId), 'mutedUntil', until).lpush(k.modlog, JSON.stringify(entry)).ltrim(k.modlog, 0, MODERATION_LOG_CAP - 1).exec();
  }

  async ban(streamId: string, userId: string, banned: boolean, entry: ModerationAction): Promise<void> {
    const k = this.k(streamId);
    const tx = this.redis.multi();
    if (banned) tx.sadd(k.banned, userId);
    else tx.srem(k.banned, userId);
    await tx.lpush(k.modlog, JSON.stringify(entry)).ltrim(k.modlog, 0, MODERATION_LOG_CAP - 1).exec();
  }

  /** Applies what is given (blocked words already normalized) and answers the settings now in force. */
  async settings(
    streamId: string,
    change: { slowModeSec?: number | undefined; blockedWords?: string[] | undefined },
    entry: ModerationAction,
  ): Promise<{ slowModeSec: number; blockedWords: number }> {
    const k = this.k(streamId);
    const tx = this.redis.multi();
    if (change.slowModeSec !== undefined) tx.hset(k.meta, 'slowModeSec', change.slowModeSec);
    if (change.blockedWords !== undefined) {
      tx.del(k.blocked);
      if (change.blockedWords.length) tx.sadd(k.blocked, ...change.blockedWords);
    }
    tx.lpush(k.modlog, JSON.stringify(entry)).ltrim(k.modlog, 0, MODERATION_LOG_CAP - 1);
    tx.hget(k.meta, 'slowModeSec').scard(k.blocked);
    const res = (await tx.exec()) ?? [];
    const n = res.length;
    return { slowModeSec: Number(res[n - 2]?.[1] ?? 0), blockedWords: Number(res[n - 1]?.[1] ?? 0) };
  }

  async moderationLog(streamId: string, offset: number, limit: number): Promise<{ total: number; actions: ModerationAction[] }> {
    const k = this.k(streamId);
    const res = await this.redis.multi().llen(k.modlog).lrange(k.modlog, offset, offset + limit - 1).exec();
    const total = Number(res?.[0]?.[1] ?? 0);
    const raw = (res?.[1]?.[1] ?? []) as string[];
    const actions: ModerationAction[] = [];
    for (const r of raw) {
      const parsed = ModerationActionSchema.safeParse(JSON.parse(r));
      if (parsed.success) actions.push(parsed.data);
    }
    return { total, actions };
  }
}

function parseMessages(raw: string[]): ChatMessage[] {
  return raw.map((r) => JSON.parse(r) as ChatMessage);
}
