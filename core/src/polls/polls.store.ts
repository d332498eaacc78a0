import type { Audience, PollFinal, PollPublic, PollResults } from '@stickyroom/sdk/protocol';
import { packAudience, parseAudience } from '../audience/audience.js';
import { perContext } from '../context.js';
import type { RedisClient } from '../redis/client.js';
import type { EventGate } from '../redis/event-gate.js';
import type { Keys } from '../redis/keys.js';
import type { Refused } from '../redis/refusals.js';
import { pollKeys } from './polls.keys.js';
import { outboxEntryId } from '../outbox/outbox.entry.js';
import { pollClose, pollCreate, pollVote } from './polls.scripts.js';

/** A poll as stored. */
export interface PollRecord {
  id: string;
  streamId: string;
  brandId: string;
  question: string;
  options: string[];
  /** 0: no timer. */
  endsAt: number;
  points: number;
  createdAt: number;
  createdBy: string;
  public: PollPublic;
  status: 'open' | 'closed';
  closedAt?: number;
  /** Set on a targeted poll (docs/protocol.md, Targeting); never changes. */
  audience?: Audience;
}

function parsePoll(streamId: string, h: Record<string, string>): PollRecord | null {
  if (!h.id || !h.public) return null;
  const p: PollRecord = {
    id: h.id,
    streamId,
    brandId: h.brandId ?? '',
    question: h.question ?? '',
    options: JSON.parse(h.options ?? '[]') as string[],
    endsAt: Number(h.endsAt ?? 0),
    points: Number(h.points ?? 0),
    createdAt: Number(h.createdAt ?? 0),
    createdBy: h.createdBy ?? '',
    public: JSON.parse(h.public) as PollPublic,
    status: h.status === 'closed' ? 'closed' : 'open',
  };
  if (h.closedAt) p.closedAt = Number(h.closedAt);
  const audience = parseAudience(h.audience);
  if (audience) p.audience = audience;
  return p;
}

/** Counts per option, index for index with the options (a missing option counts 0). */
function countsOf(options: readonly string[], byOption: Record<string, string>): number[] {
  return options.map((_, i) => Number(byOption[String(i)] ?? 0));
}

export class PollStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
  ) {}

  /** Opens the poll, or answers the refusal (for poll_open, its detail is the id of the poll in the way). */
  create(p: PollRecord): Promise<Refused | undefined> {
    const fields: Record<string, string | number> = {
      brandId: p.brandId,
      question: p.question,
      options: JSON.stringify(p.options),
      optionCount: p.options.length,
      endsAt: p.endsAt,
      points: p.points,
      createdAt: p.createdAt,
      createdBy: p.createdBy,
      public: JSON.stringify(p.public),
    };
    if (p.audience) fields.audience = packAudience(p.audience);
    return pollCreate.attempt(this.redis, this.keys, { streamId: p.streamId, pollId: p.id, fields });
  }

  async get(streamId: string, pollId: string): Promise<PollRecord | null> {
    return parsePoll(streamId, await this.redis.hgetall(pollKeys(this.keys, streamId).poll(pollId)));
  }

  /** The poll's audience ('' when untargeted; null when there is no such poll). Set once at creation. */
  async audience(streamId: string, pollId: string): Promise<string | null> {
    const [id, audience] = await this.redis.hmget(pollKeys(this.keys, streamId).poll(pollId), 'id', 'audience');
    return id ? (audience ?? '') : null;
  }

  /** Takes the viewer's final vote; throws the refusal. */
  async vote(streamId: string, pollId: string, viewerId: string, option: number, now: number, gate?: EventGate): Promise<void> {
    await pollVote.run(this.redis, this.keys, { streamId, pollId, viewerId, option, now }, gate);
  }

  /** Votes so far (the running counts the room sees). */
  async results(streamId: string, pollId: string, options: readonly string[]): Promise<PollResults> {
    const counts = countsOf(options, await this.redis.hgetall(pollKeys(this.keys, streamId).counts(pollId)));
    return { pollId, streamId, counts, votes: counts.reduce((a, b) => a + b, 0) };
  }

  /**
   * Closes the poll (once, with its outbox entry; `changed` only for that call) and answers its final counts
   * and its audience (who may be told them); throws not_found for no such poll.
   */
  async close(streamId: string, pollId: string, now: number, reason: string): Promise<{ changed: boolean; result: PollFinal; audience: Audience | undefined }> {
    const entry = { kind: 'poll.closed', pollId } as const;
    const res = await pollClose.run(this.redis, this.keys, { streamId, pollId, now, reason, entryId: outboxEntryId(entry), entry });
    const poll = parsePoll(streamId, res.poll)!;
    const counts = countsOf(poll.options, res.counts);
    return {
      changed: res.changed,
      result: {
        pollId,
        streamId,
        question: poll.question,
        options: poll.options,
        counts,
        // once retention dropped the votes by viewer, their counts (made of the same votes)
        votes: res.votes || counts.reduce((x, y) => x + y, 0),
        closedAt: poll.closedAt ?? now,
      },
      audience: poll.audience,
    };
  }

  async openPollId(streamId: string): Promise<string | null> {
    return this.redis.get(pollKeys(this.keys, streamId).open);
  }

  /** Final (or, while open, running) results of the given polls, for the summary; unknown ids are skipped. */
  async summaries(streamId: string, pollIds: readonly string[]): Promise<(PollFinal & { status: 'open' | 'closed'; audience?: Audience })[]> {
    const out: (PollFinal & { status: 'open' | 'closed'; audience?: Audience })[] = [];
    for (const id of pollIds) {
      const poll = await this.get(streamId, id);
      if (!poll) continue;
      const r = await this.results(streamId, id, poll.options);
      // the votes by viewer, or (once retention dropped them) their counts, which are made of the same votes
      const votes = (await this.redis.hlen(pollKeys(this.keys, streamId).votes(id))) || r.votes;
      out.push({
        ...r,
        votes,
        question: poll.question,
        options: poll.options,
        closedAt: poll.closedAt ?? 0,
        status: poll.status,
        ...(poll.audience ? { audience: poll.audience } : {}),
      });
    }
    return out;
  }
}

export const pollStore = perContext((ctx) => new PollStore(ctx.redis, ctx.keys));
