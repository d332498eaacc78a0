import { html, nothing } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { StreamerClient } from '@stickyroom/sdk';
import type { DropPublic, JoinData } from '@stickyroom/sdk/protocol';
import { Ticker, secondsLeft } from '../shared/ticker.js';
import { Panel, fields } from './panel.js';
import { audienceFields, audienceLabel, readAudience } from './audience-fields.js';

type Ended = 'sold_out' | 'expired' | 'ended';
interface DropView extends DropPublic {
  ended?: Ended;
}

/** Drop coupons and watch their stock go down live; end a drop early. */
export class DropPanel extends Panel {
  private drops: DropView[] = [];

  constructor() {
    super();
    new Ticker(this);
  }

  protected subscribe(c: StreamerClient) {
    return [
      c.on('coupon:dropped', (d) => {
        if (!this.mine(d)) return;
        this.drops = [d, ...this.drops.filter((x) => x.id !== d.id)].slice(0, 5);
        this.requestUpdate();
      }),
      c.on('coupon:stock', (e) => this.patch(e.dropId, { remaining: e.remaining })),
      c.on('coupon:ended', (e) => this.patch(e.dropId, { ended: e.reason, ...(e.reason === 'sold_out' ? { remaining: 0 } : {}) })),
    ];
  }

  protected override applySnapshot(d: JoinData): void {
    const held = new Map(this.drops.map((x) => [x.id, x]));
    const open = d.drops.map((x) => ({ ...held.get(x.id), ...x }));
    this.drops = [...open, ...this.drops.filter((x) => !open.some((o) => o.id === x.id))].slice(0, 5);
  }

  private patch(dropId: string, p: Partial<DropView>) {
    this.drops = this.drops.map((d) => (d.id === dropId ? { ...d, ...p } : d));
    this.requestUpdate();
  }

  private async create(e: Event) {
    const form = e.target as HTMLFormElement;
    const f = fields(e);
    const audience = readAudience(form);
    const r = await this.act(() =>
      this.client.dropCoupon(this.streamId, {
        ...(audience ? { audience } : {}),
        title: f.title ?? '',
        discount: { type: f.type === 'amount' ? 'amount' : 'percent', value: Number(f.value ?? 0) },
        quantity: Number(f.quantity ?? 1),
        durationSec: Number(f.durationSec ?? 60),
      }),
    );
    if (r) form.reset();
  }

  private async end(d: DropView) {
    const r = await this.act(() => this.client.endDrop(d.id));
    if (r) this.patch(d.id, { ended: d.ended ?? 'ended', remaining: r.remaining });
  }

  override render() {
    const t = this.t.bind(this);
    return html`<section class="card" aria-labelledby="drop-h">
      <h2 id="drop-h">${t('console.drop')}</h2>
      <ul>
        ${repeat(
          this.drops,
          (d) => d.id,
          (d) => {
            const over = d.ended ?? (secondsLeft(d.endsAt) === 0 ? 'expired' : undefined);
            return html`<li class="item">
              <strong>${d.title}</strong>
              ${d.audience ? html`<span class="badge">${t('console.audienceFor', { who: audienceLabel(d.audience) })}</span>` : nothing}
              <span aria-live="polite">${t('console.stock', { remaining: d.remaining, quantity: d.quantity })}</span>
              ${over
                ? html`<span class="badge">${t(`console.dropEnded.${over}`)}</span>`
                : html`<span class="muted">${t('time.left', { time: `${secondsLeft(d.endsAt)} s` })}</span>
                    <button class="secondary small" @click=${() => this.end(d)}>${t('console.endDrop')}</button>`}
            </li>`;
          },
        )}
      </ul>
      <form @submit=${(e: Event) => this.create(e)}>
        <label>${t('console.couponTitle')}<input name="title" required maxlength="120" /></label>
        <div class="grid2">
          <label>${t('console.discountType')}<select name="type" aria-label=${t('console.discountType')}><option value="percent">${t('console.percent')}</option><option value="amount">${t('console.amount')}</option></select></label>
          <label>${t('console.value')}<input name="value" type="number" min="0.01" step="0.01" value="10" required /></label>
          <label>${t('console.quantity')}<input name="quantity" type="number" min="1" max="1000000" value="100" required /></label>
          <label>${t('console.duration')}<input name="durationSec" type="number" min="1" max="86400" value="120" required /></label>
        </div>
        ${audienceFields(this.i18n)}
        <button type="submit" ?disabled=${!this.live}>${t('console.dropCoupons')}</button>
      </form>
      ${this.renderFeedback()}
    </section>`;
  }
}
customElements.define('sr-drop-panel', DropPanel);
