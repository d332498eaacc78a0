import { describe, expect, it } from 'vitest';
import { ChatSend, displayName, graphemes, NAME_MAX_CHARS, TEXT_MAX_MARKS_PER_CHAR } from '@stickyroom/sdk/protocol';

/** What `chat:send` would store for `text`, or the refusal's message. */
function chat(text: unknown): { text: string } | { refused: string } {
  const r = ChatSend.safeParse({ streamId: 's1', text });
  return r.success ? { text: r.data.text } : { refused: r.error.issues.map((i) => i.message).join('; ') };
}

describe('user text rules', () => {
  it('refuses messages that show nothing: braille blanks, Hangul fillers, zero-width characters', () => {
    for (const blank of ['⠀⠀', 'ㅤ', '\u115F', '\u1160', '\uFFA0', '\u200B\u200B', ' \u3164 \u2800 ', '\uFE0F', '\u0301\u0301', '\u00AD', '\u2060\uFEFF']) {
      expect(chat(blank), JSON.stringify(blank)).toEqual({ refused: 'must not be empty' });
    }
  });

  it('keeps the joiner of a ZWJ emoji sequence and counts the sequence as one character', () => {
    expect(chat('👨‍👩‍👧')).toEqual({ text: '👨‍👩‍👧' });
    expect(chat('👨‍👩‍👧'.repeat(500))).toEqual({ text: '👨‍👩‍👧'.repeat(500) });
    expect(chat('👨‍👩‍👧'.repeat(501))).toEqual({ refused: 'at most 500 characters' });
    expect(chat('1️⃣ ❤️ 👍🏽 🏳️‍⚧️')).toEqual({ text: '1️⃣ ❤️ 👍🏽 🏳️‍⚧️' });
  });

  it('refuses a lone surrogate, first or last or alone, and accepts the same code unit in a pair', () => {
    for (const bad of ['\uD800', 'ok\uD83D', '\uDE00ok', 'a\uDC00b']) {
      expect(chat(bad)).toEqual({ refused: 'must be valid Unicode text (it holds a lone surrogate)' });
    }
    expect(chat('ok\uD83D\uDE00')).toEqual({ text: 'ok😀' });
  });

  it('counts length in characters as a reader sees them, not UTF-16 units', () => {
    expect(chat('é'.normalize('NFD').repeat(500))).toEqual({ text: 'é'.normalize('NFD').repeat(500) });
    expect(chat('😀'.repeat(500))).toEqual({ text: '😀'.repeat(500) });
    expect(chat('😀'.repeat(501))).toEqual({ refused: 'at most 500 characters' });
    expect(chat('Tiếng Việt'.normalize('NFD'))).toEqual({ text: 'Tiếng Việt'.normalize('NFD') });
  });

  it(`refuses more than ${TEXT_MAX_MARKS_PER_CHAR} combining marks on one character ("a" + 499 marks)`, () => {
    expect(chat(`a${'\u0301'.repeat(499)}`)).toEqual({ refused: `at most ${TEXT_MAX_MARKS_PER_CHAR} combining marks on one character` });
    expect(chat(`zalgo a${'\u0300\u0316'.repeat(5)}`)).toMatchObject({ refused: expect.stringContaining('combining marks') });
    const eight = `a${'\u0301'.repeat(TEXT_MAX_MARKS_PER_CHAR)}`;
    expect(chat(eight)).toEqual({ text: eight });
    expect(chat(`a${'\u{E0061}'.repeat(40)}`)).toEqual({ refused: 'at most 32 code points in one character' });
  });

  it('removes controls, bidi overrides and isolates, and zero-width spaces; line breaks become spaces', () => {
    expect(chat('  he\u0000l\u200Blo\u0007  ')).toEqual({ text: 'hello' });
    expect(chat('abc\u202Eevil\u202C \u2066x\u2069 \u200Fy')).toEqual({ text: 'abcevil x y' });
    expect(chat('line one\nline two\r\n')).toEqual({ text: 'line one line two' });
    expect(chat('⠀⠀padded⠀ㅤ')).toEqual({ text: 'padded' });
  });

  it('keeps markup as text: escaping is the display\'s job', () => {
    expect(chat('<script>alert(1)</script>')).toEqual({ text: '<script>alert(1)</script>' });
  });

  it('counts grapheme clusters', () => {
    expect(graphemes('e\u0301👨‍👩‍👧🇫🇷a')).toEqual(['e\u0301', '👨‍👩‍👧', '🇫🇷', 'a']);
  });
});

describe('display names', () => {
  it('keeps an ordinary name, and markup as plain text', () => {
    expect(displayName('Official Host', 'u1')).toBe('Official Host');
    expect(displayName('Zoë 🌸', 'u1')).toBe('Zoë 🌸');
    expect(displayName('<img src=x onerror=alert(1)>', 'u1')).toBe('<img src=x onerror=alert(1)>');
  });

  it('falls back to the user id when the name shows nothing or is not text', () => {
    for (const blank of ['⠀⠀', 'ㅤ', '\u200B', '', '   ', '\u202E', '\uD800', 42, null, { first: 'x' }]) {
      expect(displayName(blank, 'u1'), JSON.stringify(blank)).toBe('u1');
    }
  });

  it('drops bidi overrides, controls and lone surrogates instead of refusing', () => {
    expect(displayName('Bob\u202Etsoh\u202C', 'u1')).toBe('Bobtsoh');
    expect(displayName('A\u0000\nB\uD800', 'u1')).toBe('A B');
  });

  it(`cuts a long name to ${NAME_MAX_CHARS} characters and a pile of marks to ${TEXT_MAX_MARKS_PER_CHAR}`, () => {
    expect(displayName('x'.repeat(500), 'u1')).toBe('x'.repeat(NAME_MAX_CHARS));
    expect(graphemes(displayName('👨‍👩‍👧'.repeat(100), 'u1'))).toHaveLength(NAME_MAX_CHARS);
    expect(displayName(`a${'\u0301'.repeat(499)}`, 'u1')).toBe(`a${'\u0301'.repeat(TEXT_MAX_MARKS_PER_CHAR)}`);
  });
});

describe('text rules under hostile input', () => {
  it('refuses or accepts a 4,000-unit text of blanks, marks or emoji with the right rule', () => {
    expect(chat(`x${' \u2800'.repeat(1999)}y`)).toEqual({ refused: 'at most 500 characters' });
    expect(chat(`${'⠀'.repeat(3999)}x`)).toEqual({ text: 'x' });
    expect(chat('👍🏽'.repeat(500))).toEqual({ text: '👍🏽'.repeat(500) });
    expect(chat('👍🏽'.repeat(501))).toEqual({ refused: 'at most 500 characters' });
    expect(chat(`${'a\u0301'.repeat(499)}b${'\u0301'.repeat(9)}`)).toEqual({ refused: 'at most 8 combining marks on one character' });
  });
});
