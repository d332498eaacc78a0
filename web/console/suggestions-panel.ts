import { html, nothing } from 'lit';
import type { StreamerClient } from '@stickyroom/sdk';
import { StreamSuggestions } from '@stickyroom/sdk/protocol';
import { Panel } from './panel.js';

/** The server answers the same suggestions for 15 s; reading them more often shows nothing new. */
const REFRESH_MS = 20_000;

/**
 * While live: the products worth pinning next (what tonight's viewers clicked and bought in the brand's
 * earlier streams) with a button to pin each, and the segments over- or under-represented tonight.
 */
export class SuggestionsPanel extends Panel {
  static override properties = { ...Panel.properties, token: { attribute: false } };
  declare token: string;
  private data: StreamSuggestions | null = null;
  private timer: ReturnType<typeof setInterval> | undefined;

  protected subscribe(c: StreamerClient) {
    return [
      c.on('product:pinned', (e) => {
        if (e.streamId === this.streamId) void this.load();
      }),
    ];
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.timer = setInterval(() => void this.load(), REFRESH_MS);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.timer);
  }

  protected override updated(changed: Map<PropertyKey, unknown>): void {
    if ((changed.has('live') || changed.has('streamId')) && this.live) void this.load();
  }

  private async load(): Promise<void> {
    if (!this.live || !this.token) return;
    await this.act(async () => {
      const res = await fetch(`/api/streams/${encodeURIComponent(this.streamId)}/suggestions`, { headers: { authorization: `Bearer ${this.token}` } });
      const body: unknown = await res.json();
      if (!res.ok) throw Object.assign(new Error('refused'), (body as { error?: object }).error ?? {});
      this.data = StreamSuggestions.parse(body);
      this.requestUpdate();
    });
  }

  override render() {
    if (!this.live) return nothing;
    const t = this.t.bind(this);
    const d = this.data;
    const skewed = d?.segments.filter((s) => s.reading === 'over' || s.reading === 'under') ?? [];
    return html`<section class="card" aria-labelledby="suggest-h">
      <h2 id="suggest-h">${t('console.suggestions')}</h2>
      ${d
        ? html`<p class="muted">${d.basedOn.length ? t('console.suggestBasis', { count: d.basedOn.length, audience: d.audience }) : t('console.suggestNoHistory')}</p>`
        : nothing}
      ${d && d.basedOn.length > 0 && d.products.length === 0 ? html`<p class="muted">${t('console.suggestNone')}</p>` : nothing}
      <ol class="suggestions">
        ${d?.products.map(
          (p) => html`<li class="item">
            <p class="row"><strong>${p.title}</strong>${p.pinnedTonight ? html` <span class="badge">${t('console.pinnedTonight')}</span>` : nothing}</p>
            <p class="muted">${t('console.suggestReason', { bought: p.boughtBy, clicked: p.clickedBy, audience: d.audience })}</p>
            <button class="secondary small" @click=${() => this.act(() => this.client.pinProduct(this.streamId, p.product))}>${t('console.pinThis')}</button>
          </li>`,
        )}
      </ol>
      ${skewed.length
        ? html`<h3>${t('console.audienceMix')}</h3>
            <ul>
              ${skewed.map(
                (s) => html`<li class="item">${t(s.reading === 'over' ? 'console.segmentOver' : 'console.segmentUnder', {
                  segment: s.segment,
                  tonight: Math.round(s.tonightShare * 100),
                  usual: Math.round((s.usualShare ?? 0) * 100),
                })}</li>`,
              )}
            </ul>`
        : nothing}
      ${this.renderFeedback()}
    </section>`;
  }
}
customElements.define('sr-suggestions-panel', SuggestionsPanel);
