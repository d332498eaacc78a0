/**
 * Values that many replies of one moment carry as they are: the result of a shared join read (the 50 newest
 * messages, the pins, the open quiz, the drops...) goes into every join ack of that moment. Marking them lets
 * the transport encode each one once for all those replies instead of once per reply (the server's Socket.IO
 * encoder, server/src/io/shared-parts-encoder.ts); the bytes a client receives are the same either way.
 *
 * A marked value must never change after it is marked (shared reads already promise that to their callers):
 * its encoding is made the first time a reply carries it and reused while the value lives. Marks are weak
 * references: a moment's values go when its replies are gone.
 */
const marked = new WeakSet<object>();

/** Marks `value` and its direct parts (the elements of an array, the values of an object) as shared; returns it. */
export function markShared<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  marked.add(value);
  const parts: unknown[] = Array.isArray(value) ? value : Object.values(value);
  for (const part of parts) if (typeof part === 'object' && part !== null) marked.add(part);
  return value;
}

/** Whether `value` was marked shared (and so must not change). */
export function isShared(value: unknown): boolean {
  return typeof value === 'object' && value !== null && marked.has(value);
}
