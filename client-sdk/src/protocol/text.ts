import { z } from 'zod';

/**
 * The rules for every user-written text (chat, questions, titles, options, display names). The server
 * validates with them and the SDK may check before sending. Lengths count what a reader sees as one
 * character (a grapheme cluster: `é`, `👍🏽`, `👨‍👩‍👧` are one each), not UTF-16 units.
 */

/** Combining marks one character may carry: Vietnamese needs 2, Indic and Tibetan stacks a few; "Zalgo" needs hundreds. */
export const TEXT_MAX_MARKS_PER_CHAR = 8;
/** Code points one character may hold: the longest emoji sequences (a family with skin tones) need 11. */
export const TEXT_MAX_CODE_POINTS_PER_CHAR = 32;
/** Display names longer than this many characters are cut, not refused. */
export const NAME_MAX_CHARS = 64;

/**
 * Removed from every text: C0/C1 controls (tab and line breaks become a space first), bidi embeddings,
 * overrides, isolates and marks (U+061C, U+200E/F, U+202A–E, U+2066–9), zero-width space, word joiner and
 * invisible operators (U+2060–4), deprecated format characters (U+206A–F), BOM, interlinear annotations.
 * Kept: ZWJ and ZWNJ (emoji sequences and several scripts need them) and variation selectors.
 */
// eslint-disable-next-line no-control-regex
const REMOVED = /[\u0000-\u001F\u007F-\u009F\u061C\u180E\u200B\u200E\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\uFEFF\uFFF9-\uFFFB]/g;
const LINE_BREAKS = /[\t\n\v\f\r\u0085\u2028\u2029]/g;
/** Trimmed from both ends: white space and blank look-alikes (braille blank, Hangul fillers). All BMP. */
const BLANK = /[\s\u2800\u3164\u115F\u1160\uFFA0]/;
/** What draws nothing by itself: spaces, default-ignorables (fillers, ZW*, variation selectors, tags), format characters, lone marks, braille blank. */
const INVISIBLE = /[\p{White_Space}\p{Default_Ignorable_Code_Point}\p{Cc}\p{Cf}\p{M}\u2800]/gu;
const MARK = /\p{M}/u;
/** In a `u` regex a surrogate only matches when it is not half of a pair. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;
const LONE_SURROGATES = /[\uD800-\uDFFF]/gu;

/** False when the string holds a lone surrogate (text no UTF-8 encoder can carry). */
export function isWellFormed(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}

/** Blanks trimmed from both ends, in linear time (a `^x+|x+$` regex is quadratic on a long run of blanks). */
function trimBlanks(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && BLANK.test(text[start]!)) start++;
  while (end > start && BLANK.test(text[end - 1]!)) end--;
  return text.slice(start, end);
}

/** Controls, bidi and zero-width characters removed, line breaks made spaces, blanks trimmed. Not the length rules. */
export function cleanText(raw: string): string {
  return trimBlanks(raw.replace(LINE_BREAKS, ' ').replace(REMOVED, ''));
}

/** True when the text would show nothing: `⠀⠀`, `ㅤ`, ZWSP and friends. */
export function isInvisible(text: string): boolean {
  return text.replace(INVISIBLE, '').length === 0;
}

/**
 * Code points that may join a neighbour in one grapheme cluster (UAX #29 Extend, SpacingMark, Prepend, ZWJ,
 * regional indicators, Hangul jamo). Text without any is one cluster per code point, so it needs no
 * segmenter, which costs microseconds per character.
 */
const JOINS_CLUSTERS =
  /[\p{M}\u200C\u200D\uFF9E\uFF9F\p{Emoji_Modifier}\p{Regional_Indicator}\u{E0020}-\u{E007F}\u1100-\u11FF\uA960-\uA97F\uD7B0-\uD7FF\u0E33\u0EB3\u0600-\u0605\u06DD\u070F\u0890\u0891\u08E2\u0D4E\u{110BD}\u{110CD}\u{111C2}\u{111C3}\u{1193F}\u{11941}\u{11A3A}\u{11A84}-\u{11A89}\u{11D46}\u{11F02}]/u;

const segmenter = typeof Intl !== 'undefined' && 'Segmenter' in Intl ? new Intl.Segmenter(undefined, { granularity: 'grapheme' }) : undefined;

/** The text's user-perceived characters, lazily (code points where the runtime has no Intl.Segmenter). */
function* clusters(text: string): Generator<string> {
  if (!segmenter || !JOINS_CLUSTERS.test(text)) {
    yield* text;
    return;
  }
  for (const s of segmenter.segment(text)) yield s.segment;
}

/** The text's user-perceived characters (grapheme clusters). */
export function graphemes(text: string): string[] {
  return Array.from(clusters(text));
}

/** Why one character breaks the caps, or null. */
function clusterProblem(cluster: string): string | null {
  let marks = 0;
  let points = 0;
  for (const cp of cluster) {
    if (++points > TEXT_MAX_CODE_POINTS_PER_CHAR) return `at most ${TEXT_MAX_CODE_POINTS_PER_CHAR} code points in one character`;
    if (MARK.test(cp) && ++marks > TEXT_MAX_MARKS_PER_CHAR) return `at most ${TEXT_MAX_MARKS_PER_CHAR} combining marks on one character`;
  }
  return null;
}

/** Why cleaned text breaks the rules, or null. */
export function textProblem(cleaned: string, max: number): string | null {
  if (isInvisible(cleaned)) return 'must not be empty';
  // One pass that stops at the first problem: a hostile 4,000-unit text is segmented no further than needed.
  let count = 0;
  for (const c of clusters(cleaned)) {
    if (++count > max) return `at most ${max} characters`;
    const problem = clusterProblem(c);
    if (problem) return problem;
  }
  return null;
}

/**
 * User-written text: refused when it holds a lone surrogate; cleaned (`cleanText`); then refused when it
 * shows nothing, has more than `max` characters, or piles more than 8 combining marks on one character.
 * Longer than `max * 8` UTF-16 units before cleaning is refused unread.
 */
export function userText(max: number) {
  return z
    .string()
    .max(max * 8, `at most ${max} characters`)
    .refine(isWellFormed, 'must be valid Unicode text (it holds a lone surrogate)')
    .transform(cleanText)
    .superRefine((text, ctx) => {
      const problem = textProblem(text, max);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });
}

/** Drops the marks and code points a character holds beyond the caps. */
function capCluster(cluster: string): string {
  if (clusterProblem(cluster) === null) return cluster;
  let out = '';
  let marks = 0;
  let points = 0;
  for (const cp of cluster) {
    if (++points > TEXT_MAX_CODE_POINTS_PER_CHAR) break;
    if (MARK.test(cp) && ++marks > TEXT_MAX_MARKS_PER_CHAR) continue;
    out += cp;
  }
  return out;
}

/**
 * A token's `name` made fit to show, never refused: cleaned as chat text, lone surrogates and excess marks
 * dropped, cut to NAME_MAX_CHARS characters; `fallback` (the user id) when nothing visible is left or the
 * claim is not a string.
 */
export function displayName(raw: unknown, fallback: string): string {
  if (typeof raw !== 'string') return fallback;
  const cleaned = cleanText(raw.slice(0, NAME_MAX_CHARS * 8).replace(LONE_SURROGATES, ''));
  const name = cleanText(graphemes(cleaned).slice(0, NAME_MAX_CHARS).map(capCluster).join(''));
  return isInvisible(name) ? fallback : name;
}
