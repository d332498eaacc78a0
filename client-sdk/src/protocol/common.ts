import { z } from 'zod';

/** Ids we mint and ids callers bring (viewer ids from a token `sub`, product ids) share one safe alphabet. */
export const Id = z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'ids are 1-64 characters of A-Z a-z 0-9 _ . : -');
export const StreamId = Id;
export const Role = z.enum(['viewer', 'streamer', 'moderator', 'brand', 'admin']);
export type Role = z.infer<typeof Role>;

/** Milliseconds since the epoch, as the server saw it. */
export const Timestamp = z.number().int().nonnegative();

/** Removes control characters (keeps newlines out too) and trims. Used for every user-written text. */
export function cleanText(raw: string): string {
  // eslint-disable-next-line no-control-regex
  return raw.replace(/[\u0000-\u001F\u007F-\u009F\u200B-\u200F\u2028-\u202E\u2060-\u206F\uFEFF]/g, '').trim();
}

/** User-written text: control characters removed, trimmed, then 1..max characters. */
export function userText(max: number) {
  return z
    .string()
    .max(max * 4, `at most ${max} characters`)
    .transform(cleanText)
    .pipe(z.string().min(1, 'must not be empty').max(max, `at most ${max} characters`));
}

export const Empty = z.object({}).strict();
