import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { createStreamerClient, type StreamerClient } from '@stickyroom/sdk';
import type { JoinData, Stream } from '@stickyroom/sdk/protocol';
import { I18n } from '../shared/i18n/index.js';
import { refusalText } from '../shared/errors.js';
import { controls, tokens } from '../shared/theme.js';
import './chat-panel.js';
import './quiz-panel.js';
import './lottery-panel.js';
import './drop-panel.js';
import './product-panel.js';
import './questions-panel.js';
import './suggestions-panel.js';

/**
 * One live stream on one screen: status with start/end, live viewers and peak, and the panels. The SDK joins
 * again by itself after a reconnect; each fresh snapshot goes to every panel.
 */
export class StreamView extends LitElement {
  static override styles = [
    tokens,
    controls,
    css`
      :host { display: block; }
      header { display: flex; flex-wrap: wrap; gap: 12px; align-items: center; justify-content: space-between; margin-bottom: 12px; }
      h1 { font-size: 20px; margin: 0; overflow-wrap: anywhere; }
      .grid { display: grid; gap: 12px; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); align-items: start; }
      .col { display: flex; flex-direction: column; gap: 12px; min-width: 0; }
    `,
  ];
  static override properties = {
    token: { attribute: false },
    streamId: { attribute: false },
    i18n: { attribute: false },
    snapshot: { state: true },
    stream: { state: true },
    stats: { state: true },
    conn: { state: true },
    error: { state: true },
  };
  declare token: string;
  declare streamId: string;
  declare i18n: I18n;
  declare snapshot: JoinData | undefined;
  declare stream: Partial<Stream> | undefined;
  declare stats: { viewers: number; peak: number };
  declare conn: string;
  declare error: string;
  private client: StreamerClient | undefined;

  constructor() {
    super();
    this.i18n = new I18n('en');
    this.stats = { viewers: 0, peak: 0 };
    this.conn = 'connecting';
    this.error = '';
  }

  protected override updated(changed: PropertyValues<this>): void {
    if ((changed.has('token') || changed.has('streamId')) && this.token && this.streamId) void this.open();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.client?.close();
    this.client = undefined;
  }

  private async open(): Promise<void> {
    this.client?.close();
    const c = createStreamerClient({ url: location.origin, token: this.token });
    this.client = c;
    c.on('state', (s) => (this.conn = s.state === 'connecting' && s.previous === 'connected' ? 'reconnecting' : s.state));
    c.on('rejoined', (d) => d.stream.id === this.streamId && this.apply(d));
    c.on('stream:state', (e) => e.stream.id === this.streamId && (this.stream = e.stream));
    c.on('room:stats', (s) => s.streamId === this.streamId && (this.stats = { viewers: s.viewers, peak: s.peak }));
    try {
      await c.connect();
      this.apply(await c.join(this.streamId));
      this.requestUpdate();
    } catch (err) {
      this.error = refusalText(this.i18n, err);
    }
  }

  private apply(d: JoinData): void {
    this.snapshot = d;
    this.stream = d.stream;
    this.stats = { viewers: d.viewers, peak: d.stream.status === 'live' ? Math.max(this.stats.peak, d.viewers) : this.stats.peak };
  }

  private async transition(to: 'start' | 'end'): Promise<void> {
    const c = this.client;
    if (!c) return;
    try {
      const { stream } = await (to === 'start' ? c.start(this.streamId) : c.end(this.streamId));
      this.stream = stream;
      this.error = '';
    } catch (err) {
      this.error = refusalText(this.i18n, err);
    }
  }

  override render() {
    const t = this.i18n.t.bind(this.i18n);
    const s = this.stream;
    const live = s?.status === 'live';
    const common = { client: this.client, streamId: this.streamId, snapshot: this.snapshot, i18n: this.i18n, live };
    return html`
      <header>
        <div>
          <h1>${s?.title ?? ''}</h1>
          <div class="row">
            ${s?.status ? html`<span class="badge ${live ? 'live' : ''}">${t(`stream.${s.status}`)}</span>` : nothing}
            <span aria-live="polite">${t('console.viewersPeak', { viewers: this.stats.viewers, peak: this.stats.peak })}</span>
            ${this.conn === 'connected' ? nothing : html`<span class="muted">${t(this.conn === 'reconnecting' ? 'conn.reconnecting' : 'conn.connecting')}</span>`}
          </div>
        </div>
        <div class="row">
          ${s?.status === 'scheduled' ? html`<button @click=${() => this.transition('start')}>${t('console.start')}</button>` : nothing}
          ${live ? html`<button class="danger" @click=${() => this.transition('end')}>${t('console.end')}</button>` : nothing}
        </div>
      </header>
      ${this.error ? html`<p class="notice error" role="alert">${this.error}</p>` : nothing}
      ${s && !live && s.status !== 'ended' ? html`<p class="notice">${t('console.notLiveYet')}</p>` : nothing}
      ${this.client && this.snapshot
        ? html`<div class="grid">
            <div class="col"><sr-chat-panel .client=${common.client} .streamId=${common.streamId} .snapshot=${common.snapshot} .i18n=${common.i18n} .live=${live}></sr-chat-panel>
              <sr-questions-panel .client=${common.client} .streamId=${common.streamId} .snapshot=${common.snapshot} .i18n=${common.i18n} .live=${live}></sr-questions-panel></div>
            <div class="col"><sr-quiz-panel .client=${common.client} .streamId=${common.streamId} .snapshot=${common.snapshot} .i18n=${common.i18n} .live=${live}></sr-quiz-panel>
              <sr-lottery-panel .client=${common.client} .streamId=${common.streamId} .snapshot=${common.snapshot} .i18n=${common.i18n} .live=${live} .token=${this.token}></sr-lottery-panel></div>
            <div class="col"><sr-drop-panel .client=${common.client} .streamId=${common.streamId} .snapshot=${common.snapshot} .i18n=${common.i18n} .live=${live}></sr-drop-panel>
              <sr-product-panel .client=${common.client} .streamId=${common.streamId} .snapshot=${common.snapshot} .i18n=${common.i18n} .live=${live}></sr-product-panel>
              <sr-suggestions-panel .client=${common.client} .streamId=${common.streamId} .snapshot=${common.snapshot} .i18n=${common.i18n} .live=${live} .token=${this.token}></sr-suggestions-panel></div>
          </div>`
        : nothing}
    `;
  }
}
customElements.define('sr-stream-view', StreamView);
