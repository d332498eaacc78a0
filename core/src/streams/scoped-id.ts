import { StreamId } from '@stickyroom/sdk/protocol';
import { newId } from './streams.service.js';

/**
 * Ids of things that live inside one stream (questions, quizzes): `<streamId>.<random>`. Events like
 * `qa:upvote { questionId }` carry no stream id; reading it from the id finds the stream's keys (and its
 * hash slot) without a global lookup key on the hot path. Minted stream ids never contain a dot.
 */
export function newScopedId(streamId: string): string {
  return `${streamId}.${newId(6)}`;
}

/** The stream of a scoped id, or null when the id was not minted by us (the caller answers not_found). */
export function streamOfScopedId(id: string): string | null {
  const dot = id.lastIndexOf('.');
  if (dot <= 0 || dot === id.length - 1) return null;
  const streamId = id.slice(0, dot);
  return StreamId.safeParse(streamId).success ? streamId : null;
}
