import { en, type MessageKey } from './en.js';
import { zhCN } from './zh-CN.js';

export type Lang = 'en' | 'zh-CN';
export type { MessageKey };
type Entry = string | { readonly one?: string; readonly other: string };
export type Catalog = { readonly [K in MessageKey]: Entry };

const catalogs: Record<Lang, Catalog> = { en, 'zh-CN': zhCN };
export type Vars = Record<string, string | number>;

/** The language to use: the attribute if it names one we have, else the browser's first one we have. */
export function pickLang(requested?: string | null): Lang {
  const wanted = [requested, ...(typeof navigator === 'undefined' ? [] : navigator.languages ?? [])];
  for (const w of wanted) {
    if (!w) continue;
    const l = w.toLowerCase();
    if (l === 'zh' || l.startsWith('zh-cn') || l.startsWith('zh-hans') || l.startsWith('zh-sg')) return 'zh-CN';
    if (l.startsWith('en')) return 'en';
  }
  return 'en';
}

/** One language's text and formats: sentences from the catalog, numbers, money and times from `Intl`. */
export class I18n {
  private readonly plural: Intl.PluralRules;
  private readonly number: Intl.NumberFormat;
  private readonly clock: Intl.DateTimeFormat;

  constructor(readonly lang: Lang) {
    this.plural = new Intl.PluralRules(lang);
    this.number = new Intl.NumberFormat(lang);
    this.clock = new Intl.DateTimeFormat(lang, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  }

  t(key: MessageKey, vars: Vars = {}): string {
    const entry = (catalogs[this.lang] as Partial<Catalog>)[key] ?? (en as Partial<Catalog>)[key];
    if (entry === undefined) return key;
    let text: string;
    if (typeof entry === 'string') text = entry;
    else {
      const count = Number(vars.count ?? 0);
      const form = this.plural.select(count) as 'one' | 'other';
      text = (form === 'one' ? entry.one : undefined) ?? entry.other;
    }
    return text.replace(/\{(\w+)\}/g, (m, name: string) => {
      const v = vars[name];
      if (v === undefined) return m;
      return typeof v === 'number' ? this.num(v) : v;
    });
  }

  num(n: number): string {
    return this.number.format(n);
  }

  money(amount: number, currency: string): string {
    try {
      return new Intl.NumberFormat(this.lang, { style: 'currency', currency }).format(amount);
    } catch {
      return `${this.num(amount)} ${currency}`;
    }
  }

  time(ms: number): string {
    return this.clock.format(new Date(ms));
  }

  dateTime(ms: number): string {
    return new Intl.DateTimeFormat(this.lang, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(ms));
  }
}
