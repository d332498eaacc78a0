import { z } from 'zod';

/** Ids we mint and ids callers bring (viewer ids from a token `sub`, product ids) share one safe alphabet. */
export const Id = z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'ids are 1-64 characters of A-Z a-z 0-9 _ . : -');
export const StreamId = Id;
/**
 * Ids of what lives inside one stream (questions, quizzes, lotteries, coupon drops): `<streamId>.<random>`,
 * so an event carrying only this id still names its stream. The random part is base64url (no dot).
 */
export const ScopedId = z
  .string()
  .max(64)
  .regex(/^[A-Za-z0-9_.:-]+\.[A-Za-z0-9_-]+$/, 'not an id this server gave out (<streamId>.<random>)');
export const Role = z.enum(['viewer', 'streamer', 'moderator', 'brand', 'admin']);
export type Role = z.infer<typeof Role>;

/** Milliseconds since the epoch, as the server saw it. */
export const Timestamp = z.number().int().nonnegative();

export const Empty = z.object({}).strict();

/**
 * What the server announces from its outbox (results, rewards) is delivered at least once: a crash can
 * make it deliver again. Each such push carries the id of its announcement, the same on every delivery;
 * the SDK drops a push whose id it has already seen.
 */
export interface Announced {
  announcementId?: string;
}
