import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import type { Stream, StreamStatus } from '@stickyroom/sdk/protocol';
import { I18n } from '../shared/i18n/index.js';
import { refusalText } from '../shared/errors.js';
import { controls, tokens } from '../shared/theme.js';
import { fields } from './panel.js';

/** The brand's streams (newest first, by status) and a form to create one. */
export class StreamList extends LitElement {
  static override styles = [
    tokens,
    controls,
    css`
      :host { display: block; }
      ul { list-style: none; padding: 0; margin: 0 0 12px; }
      li { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; padding: 8px 0; border-bottom: 1px solid var(--_border); }
      li a { font-weight: 600; color: var(--_accent); overflow-wrap: anywhere; }
      form { display: flex; gap: 8px; align-items: end; flex-wrap: wrap; }
    `,
  ];
  static override properties = {
    token: { attribute: false },
    i18n: { attribute: false },
    streams: { state: true },
    status: { state: true },
    base: { attribute: false },
    canCreate: { attribute: false },
    error: { state: true },
  };
  /** Where a stream opens: the console's live screen, or the dashboard's summary. */
  declare base: string;
  declare canCreate: boolean;
  declare token: string;
  declare i18n: I18n;
  declare streams: Stream[] | undefined;
  declare status: StreamStatus | '';
  declare error: string;

  constructor() {
    super();
    this.i18n = new I18n('en');
    this.status = '';
    this.error = '';
    this.base = '/console/streams/';
    this.canCreate = true;
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('token') || changed.has('status')) void this.load();
  }

  private async api<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(path, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const json = (await res.json().catch(() => ({}))) as { error?: unknown };
    if (!res.ok) throw json.error ?? { code: 'internal' };
    return json as T;
  }

  private async load(): Promise<void> {
    try {
      const q = this.status ? `?status=${this.status}` : '';
      this.streams = (await this.api<{ streams: Stream[] }>('GET', `/api/streams${q}`)).streams;
      this.error = '';
    } catch (err) {
      this.error = refusalText(this.i18n, err);
      this.dispatchEvent(new CustomEvent('refused', { detail: err, bubbles: true, composed: true }));
    }
  }

  private async create(e: Event): Promise<void> {
    const { title } = fields(e);
    if (!title) return;
    try {
      const s = await this.api<Stream>('POST', '/api/streams', { title });
      this.dispatchEvent(new CustomEvent('navigate', { detail: `/console/streams/${s.id}`, bubbles: true, composed: true }));
    } catch (err) {
      this.error = refusalText(this.i18n, err);
    }
  }

  private go(e: MouseEvent, href: string): void {
    if (e.metaKey || e.ctrlKey || e.shiftKey) return;
    e.preventDefault();
    this.dispatchEvent(new CustomEvent('navigate', { detail: href, bubbles: true, composed: true }));
  }

  override render() {
    const t = this.i18n.t.bind(this.i18n);
    return html`<section class="card" aria-labelledby="streams-h">
      <div class="row">
        <h2 id="streams-h">${t('console.streams')}</h2>
        <label>${t('console.filter')}
          <select aria-label=${t('console.filter')} @change=${(e: Event) => (this.status = (e.target as HTMLSelectElement).value as StreamStatus | '')}>
            <option value="">${t('console.allStreams')}</option>
            <option value="live">${t('stream.live')}</option>
            <option value="scheduled">${t('stream.scheduled')}</option>
            <option value="ended">${t('stream.ended')}</option>
          </select>
        </label>
      </div>
      ${this.error ? html`<p class="notice error" role="alert">${this.error}</p>` : nothing}
      ${this.streams?.length === 0 ? html`<p class="muted">${t('console.noStreams')}</p>` : nothing}
      <ul>
        ${(this.streams ?? []).map((s) => {
          const href = `${this.base}${encodeURIComponent(s.id)}`;
          return html`<li>
            <span class="badge ${s.status === 'live' ? 'live' : ''}">${t(`stream.${s.status}`)}</span>
            <a href=${href} aria-label=${t('console.open', { title: s.title })} @click=${(e: MouseEvent) => this.go(e, href)}>${s.title}</a>
            <span class="muted">${t('console.created', { time: this.i18n.dateTime(s.createdAt) })}</span>
          </li>`;
        })}
      </ul>
      ${this.canCreate
        ? html`<form @submit=${(e: Event) => this.create(e)}>
            <label>${t('console.streamTitle')}<input name="title" required maxlength="200" /></label>
            <button type="submit">${t('console.create')}</button>
          </form>`
        : nothing}
    </section>`;
  }
}
customElements.define('sr-stream-list', StreamList);
