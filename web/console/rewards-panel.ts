import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { Reward, RewardCreate } from '@stickyroom/sdk/protocol';
import { I18n } from '../shared/i18n/index.js';
import { refusalText } from '../shared/errors.js';
import { controls, tokens } from '../shared/theme.js';
import { claimsOf } from '../shared/token.js';
import { fields } from './panel.js';

const KINDS = ['coupon', 'gift', 'raffle'] as const;

/**
 * The brand's points rewards (`/api/brands/:brandId/rewards`): list them with stock and units redeemed, add
 * one, deactivate or reactivate it. The brand's streamers read; brand and admin tokens manage (a refusal shows
 * in words). The brand is the token's.
 */
export class RewardsPanel extends LitElement {
  static override styles = [
    tokens,
    controls,
    css`
      :host { display: block; margin-top: 16px; }
      ul { list-style: none; padding: 0; margin: 0 0 12px; }
      li { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; padding: 8px 0; border-bottom: 1px solid var(--_border); }
      form { display: flex; flex-direction: column; gap: 8px; }
      .grid2 { display: grid; grid-template-columns: 1fr 1fr; gap: 8px; }
    `,
  ];
  static override properties = {
    token: { attribute: false },
    i18n: { attribute: false },
    rewards: { state: true },
    error: { state: true },
    status: { state: true },
  };
  declare token: string;
  declare i18n: I18n;
  declare rewards: Reward[] | undefined;
  declare error: string;
  declare status: string;

  constructor() {
    super();
    this.i18n = new I18n('en');
    this.error = '';
    this.status = '';
  }

  private get brandId(): string | undefined {
    return this.token ? claimsOf(this.token).brandId : undefined;
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('token')) void this.load();
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

  private get base(): string {
    return `/api/brands/${encodeURIComponent(this.brandId ?? '')}/rewards`;
  }

  private async run(action: () => Promise<unknown>, done = ''): Promise<boolean> {
    try {
      await action();
      this.error = '';
      this.status = done;
      return true;
    } catch (err) {
      this.status = '';
      this.error = refusalText(this.i18n, err);
      return false;
    }
  }

  private async load(): Promise<void> {
    if (!this.brandId) return;
    await this.run(async () => {
      this.rewards = (await this.api<{ rewards: Reward[] }>('GET', this.base)).rewards;
    });
  }

  private async create(e: Event): Promise<void> {
    const form = e.target as HTMLFormElement;
    const f = fields(e);
    const body: RewardCreate = {
      title: f.title ?? '',
      kind: (KINDS as readonly string[]).includes(f.kind ?? '') ? (f.kind as RewardCreate['kind']) : 'gift',
      cost: Number(f.cost ?? 0),
      stock: Number(f.stock ?? 0),
      ...(f.perViewer ? { perViewer: Number(f.perViewer) } : {}),
      ...(f.minTier ? { minTier: f.minTier } : {}),
    };
    if (await this.run(() => this.api('POST', this.base, body), this.i18n.t('console.rewardAdded'))) {
      form.reset();
      await this.load();
      // the success line stays after the reload
      this.status = this.i18n.t('console.rewardAdded');
    }
  }

  private async toggle(r: Reward): Promise<void> {
    if (await this.run(() => this.api('PATCH', `${this.base}/${encodeURIComponent(r.id)}`, { active: !r.active }))) await this.load();
  }

  override render() {
    if (!this.brandId) return nothing;
    const t = this.i18n.t.bind(this.i18n);
    return html`<section class="card" aria-labelledby="rewards-h">
      <h2 id="rewards-h">${t('console.rewards')}</h2>
      ${this.rewards?.length === 0 ? html`<p class="muted">${t('console.noRewards')}</p>` : nothing}
      <ul>
        ${repeat(
          this.rewards ?? [],
          (r) => r.id,
          (r) => html`<li>
            <strong>${r.title}</strong>
            <span class="badge">${t(`console.kind.${r.kind}`)}</span>
            <span class="muted">${t('console.rewardLine', { cost: this.i18n.num(r.cost), stock: this.i18n.num(r.stock), redeemed: this.i18n.num(r.redeemed) })}</span>
            ${r.active ? nothing : html`<span class="badge">${t('console.rewardInactive')}</span>`}
            <button class="secondary small" aria-label=${t(r.active ? 'console.deactivateLabel' : 'console.activateLabel', { title: r.title })} @click=${() => this.toggle(r)}>
              ${t(r.active ? 'console.deactivate' : 'console.activate')}
            </button>
          </li>`,
        )}
      </ul>
      <form @submit=${(e: Event) => this.create(e)}>
        <label>${t('console.rewardTitle')}<input name="title" required maxlength="120" /></label>
        <div class="grid2">
          <label>${t('console.rewardKind')}<select name="kind" aria-label=${t('console.rewardKind')}>
            ${KINDS.map((k) => html`<option value=${k}>${t(`console.kind.${k}`)}</option>`)}
          </select></label>
          <label>${t('console.rewardCost')}<input name="cost" type="number" min="1" max="100000000" value="100" required /></label>
          <label>${t('console.rewardStock')}<input name="stock" type="number" min="0" max="1000000" value="50" required /></label>
          <label>${t('console.rewardPerViewer')}<input name="perViewer" type="number" min="1" max="1000000" /></label>
          <label>${t('console.rewardMinTier')}<input name="minTier" maxlength="40" /></label>
        </div>
        <button type="submit">${t('console.addReward')}</button>
      </form>
      ${this.error ? html`<p class="notice error" role="alert">${this.error}</p>` : nothing}
      ${this.status ? html`<p class="notice ok" role="status">${this.status}</p>` : nothing}
    </section>`;
  }
}
customElements.define('sr-rewards-panel', RewardsPanel);
