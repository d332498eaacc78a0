import { html } from 'lit';
import { SEGMENTS, type Audience } from '@stickyroom/sdk/protocol';
import type { I18n } from '../shared/i18n/index.js';

/**
 * The "who can take part" part of a drop, lottery or poll form: segments to tick and points tiers to name.
 * Nothing chosen: everyone (the default). The server shows a targeted item only to viewers it admits.
 */
export function audienceFields(i18n: I18n) {
  const t = i18n.t.bind(i18n);
  return html`<details class="audience">
    <summary>${t('console.audience')}</summary>
    <fieldset>
      <legend>${t('console.audienceSegments')}</legend>
      ${SEGMENTS.map((s) => html`<label class="check"><input type="checkbox" name="audienceSegment" value=${s} />${s}</label>`)}
    </fieldset>
    <label>${t('console.audienceTiers')}<input name="audienceTiers" maxlength="200" placeholder="gold, silver" /></label>
  </details>`;
}

/** The audience the form's fields describe, or undefined for everyone. */
export function readAudience(form: HTMLFormElement): Audience | undefined {
  const data = new FormData(form);
  const segments = data.getAll('audienceSegment').filter((v): v is string => typeof v === 'string') as Audience['segments'];
  const tiers = String(data.get('audienceTiers') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!segments?.length && !tiers.length) return undefined;
  return { ...(segments?.length ? { segments } : {}), ...(tiers.length ? { tiers } : {}) };
}

/** "loyal, gold" for a targeted item's badge. */
export function audienceLabel(a: Audience): string {
  return [...(a.segments ?? []), ...(a.tiers ?? [])].join(', ');
}
