import { describe, expect, it } from 'vitest';
import { containsBlocked, duplicateKey, normalizeBlockedWords, normalizeWords, skeleton } from '../../core/src/chat/chat.text.js';
import { CONFUSABLES } from '../../core/src/chat/chat.confusables.js';

describe('chat word matching', () => {
  const blocked = normalizeBlockedWords(['Scam', ' free  MONEY ', 'scam', '!!!', 'Übel', '🍆']);

  it('stores blocked entries as skeletons: lower-cased, accents gone, deduplicated, punctuation-only ones dropped', () => {
    expect(blocked).toEqual(['scam', 'free money', 'ubel', '🍆']);
  });

  it('matches whole words and phrases whatever the case, spacing or punctuation', () => {
    expect(containsBlocked('SCAM', blocked)).toBe(true);
    expect(containsBlocked('total scam!!!', blocked)).toBe(true);
    expect(containsBlocked('(scam)', blocked)).toBe(true);
    expect(containsBlocked('Free...money here', blocked)).toBe(true);
    expect(containsBlocked('wie übel', blocked)).toBe(true);
    expect(containsBlocked('nice 🍆 there', blocked)).toBe(true);
  });

  it('does not match inside other words or across reordered phrases', () => {
    expect(containsBlocked('scampi', blocked)).toBe(false);
    expect(containsBlocked('scammer', blocked)).toBe(false);
    expect(containsBlocked('ѕсаmmer', blocked)).toBe(false);
    expect(containsBlocked('money for free', blocked)).toBe(false);
    expect(containsBlocked('übelkeit', blocked)).toBe(false);
    expect(containsBlocked('', blocked)).toBe(false);
  });

  it('catches the disguises of the issue: soft hyphen, combining accent, Cyrillic look-alikes', () => {
    expect(containsBlocked('sc\u00ADam', blocked)).toBe(true);
    expect(containsBlocked('s\u0301cam', blocked)).toBe(true);
    expect(containsBlocked('ѕсаm', blocked)).toBe(true);
    expect(containsBlocked('what a ЅСАМ', blocked)).toBe(true);
  });

  it('catches other invisible joins, Greek look-alikes, full-width forms and mixed disguises', () => {
    for (const text of ['sc\u200Bam', 'sc\u200Dam', 's\u2060c\uFEFFam', 'ＳＣＡＭ', 'SCΑM', 'ṡçåm', 'ѕ\u00ADс\u0301аm!', 'free m\u043Eney']) {
      expect(containsBlocked(text, blocked), JSON.stringify(text)).toBe(true);
    }
  });

  it('folds blocked entries the same way, so a list written in look-alikes still matches plain text', () => {
    expect(containsBlocked('a scam', normalizeBlockedWords(['ѕсаm']))).toBe(true);
    expect(containsBlocked('Straße', normalizeBlockedWords(['strasse']))).toBe(true);
  });

  it('normalizes compatibility forms (full-width letters) before comparing', () => {
    expect(normalizeWords('ＳＣＡＭ')).toBe('scam');
  });
});

describe('the skeleton', () => {
  it('folds every entry of the look-alike table (none is changed by NFKC first)', () => {
    for (const [from, to] of Object.entries(CONFUSABLES)) expect(skeleton(from), from).toBe(to);
  });
  it('keeps words of scripts without look-alikes and emoji', () => {
    expect(skeleton('中文 привет 👍')).toBe('中文 пpивeт 👍');
  });
});

describe('chat duplicate key', () => {
  it('ignores case and spacing but not words', () => {
    expect(duplicateKey('Buy  NOW')).toBe(duplicateKey('buy now'));
    expect(duplicateKey('buy now!')).not.toBe(duplicateKey('buy now'));
  });
  it('sees through invisible characters and look-alikes', () => {
    expect(duplicateKey('buy\u00AD now')).toBe(duplicateKey('buy now'));
    expect(duplicateKey('buy nоw')).toBe(duplicateKey('buy now'));
  });
});
