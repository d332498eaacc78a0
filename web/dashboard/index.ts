import { LitElement, css, html, nothing } from 'lit';
import { I18n, pickLang, type Lang } from '../shared/i18n/index.js';
import { claimsOf, pageToken, saveToken } from '../shared/token.js';
import { topBar } from '../shared/top-bar.js';
import { controls, tokens } from '../shared/theme.js';
import { fields } from '../console/panel.js';
import '../console/stream-list.js';
import './summary-view.js';
import './brand-view.js';

/**
 * `/dashboard` (the brand's streams), `/dashboard/streams/:id` (one stream's summary) and
 * `/dashboard/brands/:brandId` (the brand over time), for brand teams.
 * The token comes from the fragment or a paste form and stays in the tab; the page holds no data itself.
 */
class StickyroomDashboard extends LitElement {
  static override styles = [
    tokens,
    controls,
    css`
      :host { display: block; padding: 16px; }
      .top { display: flex; flex-wrap: wrap; gap: 12px; align-items: center; justify-content: space-between; margin-bottom: 12px; }
      h1 { font-size: 18px; margin: 0; }
      .signin { max-width: 560px; margin: 40px auto; display: flex; flex-direction: column; gap: 10px; }
      a { color: var(--_accent); }
    `,
  ];
  static override properties = { token: { state: true }, path: { state: true }, language: { state: true }, refused: { state: true } };
  declare token: string | null;
  declare path: string;
  declare language: Lang;
  declare refused: boolean;

  constructor() {
    super();
    this.token = pageToken();
    this.path = location.pathname;
    this.language = pickLang(new URLSearchParams(location.search).get('lang'));
    this.refused = false;
    addEventListener('popstate', () => (this.path = location.pathname));
    this.addEventListener('navigate', (e) => {
      const path = (e as CustomEvent<string>).detail;
      history.pushState(null, '', path + location.search);
      this.path = path;
    });
    this.addEventListener('refused', (e) => {
      const code = (e as CustomEvent<{ code?: string }>).detail?.code;
      if (code === 'unauthorized' || code === 'forbidden') this.refused = true;
    });
  }

  private signIn(e: Event): void {
    const { token } = fields(e);
    if (!token) return;
    saveToken(token);
    this.refused = false;
    this.token = token;
  }

  override render() {
    const i18n = new I18n(this.language);
    const t = i18n.t.bind(i18n);
    document.documentElement.lang = this.language;
    document.title = t('dash.title');
    const streamId = /^\/dashboard\/streams\/([^/]+)$/.exec(this.path)?.[1];
    const brandId = /^\/dashboard\/brands\/([^/]+)$/.exec(this.path)?.[1];
    const ownBrand = this.token ? claimsOf(this.token).brandId : undefined;
    const nav = (path: string) => (e: Event) => (e.preventDefault(), this.dispatchEvent(new CustomEvent('navigate', { detail: path })));
    const signIn = html`<form class="card signin" @submit=${(e: Event) => this.signIn(e)}>
      <h2>${t('console.signIn')}</h2>
      <p class="muted">${t('dash.signInHelp')}</p>
      <label>${t('console.tokenLabel')}<textarea name="token" rows="4" required autocomplete="off"></textarea></label>
      <button type="submit">${t('console.signIn')}</button>
    </form>`;
    return html`
      ${topBar({ title: t('dash.title'), i18n, token: this.token, language: this.language, onLanguage: (l) => (this.language = l) })}
      <main>
        ${!this.token
          ? signIn
          : streamId
            ? html`<p><a href="/dashboard" @click=${(e: Event) => (e.preventDefault(), this.dispatchEvent(new CustomEvent('navigate', { detail: '/dashboard' })))}>← ${t('console.back')}</a></p>
                <sr-summary-view .token=${this.token} .streamId=${decodeURIComponent(streamId)} .i18n=${i18n}></sr-summary-view>
                ${this.refused ? signIn : nothing}`
            : brandId
              ? html`<p><a href="/dashboard" @click=${nav('/dashboard')}>← ${t('console.back')}</a></p>
                  <sr-brand-view .token=${this.token} .brandId=${decodeURIComponent(brandId)} .i18n=${i18n}></sr-brand-view>
                  ${this.refused ? signIn : nothing}`
              : html`${ownBrand
                    ? html`<p><a href="/dashboard/brands/${encodeURIComponent(ownBrand)}" @click=${nav(`/dashboard/brands/${encodeURIComponent(ownBrand)}`)}>${t('brand.open')}</a></p>`
                    : nothing}
                  <sr-stream-list .token=${this.token} .i18n=${i18n} .base=${'/dashboard/streams/'} .canCreate=${false}></sr-stream-list>${this.refused ? signIn : nothing}`}
      </main>
    `;
  }
}
customElements.define('stickyroom-dashboard', StickyroomDashboard);
