import { html, nothing } from 'lit';
import type { StreamerClient } from '@stickyroom/sdk';
import type { JoinData, PinnedProduct } from '@stickyroom/sdk/protocol';
import { Panel, fields } from './panel.js';

/** Pin the product the host is showing (the widget shows it with a click-through), or unpin it. */
export class ProductPanel extends Panel {
  private product: PinnedProduct | null = null;

  protected subscribe(c: StreamerClient) {
    return [
      c.on('product:pinned', (e) => {
        if (e.streamId !== this.streamId) return;
        this.product = e.product;
        this.requestUpdate();
      }),
    ];
  }

  protected override applySnapshot(d: JoinData): void {
    this.product = d.pinned?.product ?? null;
  }

  private async pin(e: Event) {
    const f = fields(e);
    await this.act(() =>
      this.client.pinProduct(this.streamId, {
        id: f.id ?? '',
        title: f.title ?? '',
        price: Number(f.price ?? 0),
        currency: (f.currency ?? 'EUR').toUpperCase(),
        ...(f.url ? { url: f.url } : {}),
        ...(f.imageUrl ? { imageUrl: f.imageUrl } : {}),
      }),
    );
  }

  override render() {
    const t = this.t.bind(this);
    const p = this.product;
    return html`<section class="card" aria-labelledby="product-h">
      <h2 id="product-h">${t('console.product')}</h2>
      ${p
        ? html`<p class="row"><span class="badge">${t('product.pinned')}</span><strong>${p.title}</strong> ${this.i18n.money(p.price, p.currency)}
            <button class="secondary small" @click=${() => this.act(() => this.client.pinProduct(this.streamId, null))}>${t('console.unpinProduct')}</button></p>`
        : nothing}
      <form @submit=${(e: Event) => this.pin(e)}>
        <div class="grid2">
          <label>${t('console.productId')}<input name="id" required maxlength="64" pattern="[A-Za-z0-9_.:\\-]+" /></label>
          <label>${t('console.productTitle')}<input name="title" required maxlength="200" /></label>
          <label>${t('console.price')}<input name="price" type="number" min="0" step="0.01" required /></label>
          <label>${t('console.currency')}<input name="currency" value="EUR" required minlength="3" maxlength="3" /></label>
        </div>
        <label>${t('console.productUrl')}<input name="url" type="url" /></label>
        <label>${t('console.imageUrl')}<input name="imageUrl" type="url" /></label>
        <button type="submit">${t('console.pinProduct')}</button>
      </form>
      ${this.renderFeedback()}
    </section>`;
  }
}
customElements.define('sr-product-panel', ProductPanel);
