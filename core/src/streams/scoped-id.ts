import { StreamId } from '@stickyroom/sdk/protocol';
import { AppError } from '../errors.js';
import { newId } from './streams.service.js';

/**
 * Ids of things that live inside one stream (questions, quizzes, lotteries, coupon drops):
 * `<streamId>.<random>`. Events like `qa:upvote { questionId }` or `coupon:claim { dropId }` carry no stream
 * id; reading it from the id finds the stream's keys (and its hash slot) with no global lookup key and no
 * per-node cache. The random part is base64url, which has no dot, so the last dot splits the two.
 */
export function newScopedId(streamId: string): string {
  return `${streamId}.${newId(6)}`;
}

/** The stream of a scoped id, or null when the id was not minted by us. */
export function streamOfScopedId(id: string): string | null {
  const dot = id.lastIndexOf('.');
  if (dot <= 0 || dot === id.length - 1) return null;
  const streamId = id.slice(0, dot);
  return StreamId.safeParse(streamId).success ? streamId : null;
}

/** The stream of a scoped id; one we did not mint is simply not found (`no such <what>`). */
export function streamOf(id: string, what: 'question' | 'quiz' | 'lottery' | 'coupon drop' | 'poll'): string {
  const streamId = streamOfScopedId(id);
  if (!streamId) throw new AppError('not_found', `no such ${what}`);
  return streamId;
}
