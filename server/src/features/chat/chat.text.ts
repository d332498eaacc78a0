/**
 * Text normalization for the chat rules that compare words. Done here rather than in Lua, whose string
 * functions know bytes, not Unicode letters or case.
 */

/** Runs of anything but letters, digits, combining marks and emoji separate words. */
const SEPARATORS = /[^\p{L}\p{N}\p{M}\p{Extended_Pictographic}]+/gu;

/** Lower-cased words joined by single spaces: "Buy NOW!!" -> "buy now". */
export function normalizeWords(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(SEPARATORS, ' ').trim();
}

/**
 * The message as the blocked-words script reads it: normalized and padded with a space each side, so a
 * blocked phrase matches as `' ' .. phrase .. ' '`, i.e. only as whole words.
 */
export function wordsForMatching(text: string): string {
  return ` ${normalizeWords(text)} `;
}

/** Blocked-words entries as stored: normalized, empty ones (punctuation only) and repeats dropped. */
export function normalizeBlockedWords(words: readonly string[]): string[] {
  return [...new Set(words.map(normalizeWords).filter((w) => w.length > 0))];
}

/** What counts as "the same message" for the duplicate rule: case and spacing do not matter. */
export function duplicateKey(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

/** Same as the script's test, for unit tests and callers that check without Redis. */
export function containsBlocked(text: string, blocked: readonly string[]): boolean {
  const padded = wordsForMatching(text);
  return blocked.some((w) => padded.includes(` ${w} `));
}
