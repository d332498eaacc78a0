/**
 * Letters of other scripts that pass for Latin ones, folded to the Latin letter before blocked words are
 * compared (`ѕсаm` in Cyrillic reads "scam"). Data only, deliberately short: the Cyrillic and Greek
 * look-alikes seen in spam, both cases (an upper-case Greek Η looks like H, its lower case η like n),
 * and a few Latin variants. Full-width and other compatibility forms need no entry: NFKC folds them first.
 * Accents need none either: they are stripped before this table is read. An entry NFKC would change first
 * (the lunate sigma ϲ becomes ς) could never match; a unit test keeps such entries out.
 * Source: Unicode's confusables.txt (UTS #39), narrowed to letters a reader takes for Latin ones.
 */
export const CONFUSABLES: Readonly<Record<string, string>> = {
  // Cyrillic
  А: 'a', а: 'a',
  В: 'b',
  С: 'c', с: 'c',
  Ԁ: 'd', ԁ: 'd',
  Е: 'e', е: 'e',
  Н: 'h', һ: 'h',
  І: 'i', і: 'i',
  Ј: 'j', ј: 'j',
  К: 'k', к: 'k',
  Ӏ: 'l', ӏ: 'l',
  М: 'm',
  О: 'o', о: 'o',
  Р: 'p', р: 'p',
  Ԛ: 'q', ԛ: 'q',
  Ѕ: 's', ѕ: 's',
  Т: 't',
  Ѵ: 'v', ѵ: 'v',
  Ԝ: 'w', ԝ: 'w',
  Х: 'x', х: 'x',
  У: 'y', у: 'y', Ү: 'y', ү: 'y',
  // Greek
  Α: 'a', α: 'a',
  Β: 'b',
  Ε: 'e',
  Η: 'h', η: 'n',
  Ι: 'i', ι: 'i',
  Κ: 'k', κ: 'k',
  Μ: 'm',
  Ν: 'n', ν: 'v',
  Ο: 'o', ο: 'o',
  Ρ: 'p', ρ: 'p',
  Τ: 't', τ: 't',
  Υ: 'y', υ: 'u',
  Χ: 'x', χ: 'x',
  Ζ: 'z',
  ω: 'w',
  // Latin variants
  ı: 'i', ɩ: 'i', ȷ: 'j', ɑ: 'a', ɡ: 'g', ʋ: 'u',
};
