import { html, nothing } from 'lit';
import type { I18n } from '../shared/i18n/index.js';

/** The fewest and most options a quiz or a poll takes (the wire schemas' bounds). */
export const MIN_OPTIONS = 2;
export const MAX_OPTIONS = 6;

/** The option inputs of a quiz or poll form (`option0`, `option1`, …) and the button that adds one more. */
export function optionFields(i18n: I18n, count: number, addOne: () => void) {
  const t = i18n.t.bind(i18n);
  return html`${Array.from({ length: count }, (_, i) => html`<label>${t('console.option', { n: String(i + 1) })}<input name=${`option${i}`} required maxlength="120" /></label>`)}
  ${count < MAX_OPTIONS ? html`<button type="button" class="secondary small" @click=${addOne}>${t('console.addOption')}</button>` : nothing}`;
}

/** The filled-in options of such a form, in order. */
export function readOptions(fields: Record<string, string>, count: number): string[] {
  const options: string[] = [];
  for (let i = 0; i < count; i++) if (fields[`option${i}`]) options.push(fields[`option${i}`]!);
  return options;
}
