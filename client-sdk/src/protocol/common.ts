import { z } from 'zod';

/** Ids we mint and ids callers bring (viewer ids from a token `sub`, product ids) share one safe alphabet. */
export const Id = z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'ids are 1-64 characters of A-Z a-z 0-9 _ . : -');
export const StreamId = Id;
export const Role = z.enum(['viewer', 'streamer', 'moderator', 'brand', 'admin']);
export type Role = z.infer<typeof Role>;

/** Milliseconds since the epoch, as the server saw it. */
export const Timestamp = z.number().int().nonnegative();

export const Empty = z.object({}).strict();
