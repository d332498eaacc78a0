import { describe, expect, it } from 'vitest';
import { containsBlocked, duplicateKey, normalizeBlockedWords, normalizeWords } from '../../server/src/features/chat/chat.text.js';

describe('chat word matching', () => {
  const blocked = normalizeBlockedWords(['Scam', ' free  MONEY ', 'scam', '!!!', 'Übel', '🍆']);

  it('stores blocked entries lower-cased, deduplicated, punctuation-only ones dropped', () => {
    expect(blocked).toEqual(['scam', 'free money', 'übel', '🍆']);
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
    expect(containsBlocked('money for free', blocked)).toBe(false);
    expect(containsBlocked('übelkeit', blocked)).toBe(false);
    expect(containsBlocked('', blocked)).toBe(false);
  });

  it('normalizes compatibility forms (full-width letters) before comparing', () => {
    expect(normalizeWords('ＳＣＡＭ')).toBe('scam');
  });
});

describe('chat duplicate key', () => {
  it('ignores case and spacing but not words', () => {
    expect(duplicateKey('Buy  NOW')).toBe(duplicateKey('buy now'));
    expect(duplicateKey('buy now!')).not.toBe(duplicateKey('buy now'));
  });
});
