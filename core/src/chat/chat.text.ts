/**
 * Text normalization for the chat rules that compare words (blocked words, duplicates). Done here rather
 * than in Lua, whose string functions know bytes, not Unicode letters or case: the script gets the
 * skeleton as an argument and compares bytes. What is stored and shown is the cleaned original, never this.
 */
import { CONFUSABLES } from './chat.confusables.js';

const DEFAULT_IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu;
const MARKS = /\p{M}/gu;
const CONFUSABLE = new RegExp(`[${Object.keys(CONFUSABLES).join('')}]`, 'gu');

/**
 * What a text reads as, for comparing: compatibility forms folded (NFKC: `ＳＣＡＭ` -> `SCAM`),
 * default-ignorable characters dropped (soft hyphen, ZWSP, ZWJ, variation selectors, Hangul fillers),
 * combining marks stripped (`s\u0301cam` -> `scam`), look-alike letters folded (`ѕсаm` -> `scam`), case folded
 * (`ß` -> `ss`). Marks are stripped again after the case fold, which can add some (`İ` -> `i̇`).
 */
export function skeleton(text: string): string {
  return text
    .normalize('NFKC')
    .replace(DEFAULT_IGNORABLE, '')
    .normalize('NFD')
    .replace(MARKS, '')
    .replace(CONFUSABLE, (c) => CONFUSABLES[c] ?? c)
    .toUpperCase()
    .toLowerCase()
    .normalize('NFD')
    .replace(MARKS, '')
    .normalize('NFC');
}

/** Runs of anything but letters, digits and emoji separate words. */
const SEPARATORS = /[^\p{L}\p{N}\p{Extended_Pictographic}]+/gu;

/** The skeleton's words joined by single spaces: "Buy NOW!!" -> "buy now". */
export function normalizeWords(text: string): string {
  return skeleton(text).replace(SEPARATORS, ' ').trim();
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

/** What counts as "the same message" for the duplicate rule: case, spacing, accents and look-alikes do not matter. */
export function duplicateKey(text: string): string {
  return skeleton(text).replace(/\s+/g, ' ').trim();
}

/** Same as the script's test, for unit tests and callers that check without Redis. */
export function containsBlocked(text: string, blocked: readonly string[]): boolean {
  const padded = wordsForMatching(text);
  return blocked.some((w) => padded.includes(` ${w} `));
}
