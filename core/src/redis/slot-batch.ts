import type { ChainableCommander } from 'ioredis';
import { isCluster, type RedisClient } from './client.js';

type Reply = [Error | null, unknown];

/** The hash tag of a key (what decides its slot): the first non-empty `{...}`, or the whole key. */
export function hashTag(key: string): string {
  const open = key.indexOf('{');
  if (open >= 0) {
    const close = key.indexOf('}', open + 1);
    if (close > open + 1) return key.slice(open + 1, close);
  }
  return key;
}

/**
 * One round of commands over many streams (or brands) at once: on a single Redis, one pipeline; on a
 * cluster, one pipeline per hash tag, sent at once, since a cluster pipeline must stay within one node and
 * ioredis refuses one that does not. Replies come back in the order the commands were queued, as from one
 * pipeline.
 *
 * @example
 * const batch = new SlotBatch(redis);
 * for (const id of streamIds) presenceStats.queue(batch.for(streamKeys(keys, id).meta), keys, {...});
 * const replies = await batch.exec();
 */
export class SlotBatch {
  private readonly single: ChainableCommander | undefined;
  private readonly byTag = new Map<string, ChainableCommander>();
  /** Queued runs, in order: which pipeline, and where in it they started. */
  private readonly runs: { pipe: ChainableCommander; from: number }[] = [];

  constructor(private readonly redis: RedisClient) {
    this.single = isCluster(redis) ? undefined : redis.pipeline();
  }

  /** The pipeline on which to queue the next commands, every key of which shares `key`'s hash tag. */
  for(key: string): ChainableCommander {
    let pipe = this.single;
    if (!pipe) {
      const tag = hashTag(key);
      pipe = this.byTag.get(tag);
      if (!pipe) this.byTag.set(tag, (pipe = this.redis.pipeline()));
    }
    this.runs.push({ pipe, from: pipe.length });
    return pipe;
  }

  /** Runs every pipeline; the replies of all queued commands in queue order. A pipeline that fails throws. */
  async exec(): Promise<Reply[]> {
    if (this.single) return this.runs.length ? ((await this.single.exec()) ?? []) : [];
    const pipes = [...this.byTag.values()];
    const results = new Map<ChainableCommander, Reply[]>();
    await Promise.all(pipes.map(async (p) => results.set(p, (await p.exec()) ?? [])));
    // each run ends where the next run on its pipeline starts (or at the pipeline's end)
    const ends: number[] = [];
    const nextFrom = new Map<ChainableCommander, number>();
    for (let i = this.runs.length - 1; i >= 0; i--) {
      const run = this.runs[i]!;
      ends[i] = nextFrom.get(run.pipe) ?? run.pipe.length;
      nextFrom.set(run.pipe, run.from);
    }
    return this.runs.flatMap((run, i) => results.get(run.pipe)!.slice(run.from, ends[i]));
  }
}
