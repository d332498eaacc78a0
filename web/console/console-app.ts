import { LitElement, css, html } from 'lit';
import { I18n, pickLang, type Lang } from '../shared/i18n/index.js';
import { pageToken, saveToken } from '../shared/token.js';
import { topBar } from '../shared/top-bar.js';
import { controls, tokens } from '../shared/theme.js';
import { fields } from './panel.js';
import './stream-list.js';
import './stream-view.js';
import './rewards-panel.js';

/**
 * `/console` and `/console/streams/:id`: sign-in (a pasted token, or `#token=` in the fragment, kept in the
 * tab's session storage), the brand's streams, and one stream's live screen. Navigation stays in the page.
 */
export class ConsoleApp extends LitElement {
  static override styles = [
    tokens,
    controls,
    css`
      :host { display: block; padding: 16px; max-width: 1600px; margin: 0 auto; }
      .top { display: flex; flex-wrap: wrap; gap: 12px; align-items: center; justify-content: space-between; margin-bottom: 16px; }
      .top h1 { font-size: 18px; margin: 0; }
      .signin { max-width: 560px; margin: 40px auto; display: flex; flex-direction: column; gap: 10px; }
      a { color: var(--_accent); }
    `,
  ];
  static override properties = { token: { state: true }, path: { state: true }, language: { state: true } };
  declare token: string | null;
  declare path: string;
  declare language: Lang;

  constructor() {
    super();
    this.token = pageToken();
    this.path = location.pathname;
    this.language = pickLang(new URLSearchParams(location.search).get('lang'));
    addEventListener('popstate', () => (this.path = location.pathname));
    this.addEventListener('navigate', (e) => this.navigate((e as CustomEvent<string>).detail));
  }

  private get i18n(): I18n {
    return new I18n(this.language);
  }

  private navigate(path: string): void {
    history.pushState(null, '', path + location.search);
    this.path = path;
  }

  private signIn(e: Event): void {
    const { token } = fields(e);
    if (!token) return;
    saveToken(token);
    this.token = token;
  }

  private signOut(): void {
    saveToken(null);
    this.token = null;
  }

  override render() {
    const i18n = this.i18n;
    const t = i18n.t.bind(i18n);
    document.documentElement.lang = this.language;
    document.title = t('console.title');
    const streamId = /^\/console\/streams\/([^/]+)$/.exec(this.path)?.[1];
    return html`
      ${topBar({ title: t('console.title'), i18n, token: this.token, language: this.language, onLanguage: (l) => (this.language = l), onSignOut: () => this.signOut() })}
      <main>
        ${!this.token
          ? html`<form class="card signin" @submit=${(e: Event) => this.signIn(e)}>
              <h2>${t('console.signIn')}</h2>
              <p class="muted">${t('console.signInHelp')}</p>
              <label>${t('console.tokenLabel')}<textarea name="token" rows="4" required autocomplete="off"></textarea></label>
              <button type="submit">${t('console.signIn')}</button>
            </form>`
          : streamId
            ? html`<p><a href="/console" @click=${(e: Event) => (e.preventDefault(), this.navigate('/console'))}>← ${t('console.back')}</a></p>
                <sr-stream-view .token=${this.token} .streamId=${decodeURIComponent(streamId)} .i18n=${i18n}></sr-stream-view>`
            : html`<sr-stream-list .token=${this.token} .i18n=${i18n}></sr-stream-list>
                <sr-rewards-panel .token=${this.token} .i18n=${i18n}></sr-rewards-panel>`}
      </main>
    `;
  }
}
customElements.define('stickyroom-console', ConsoleApp);
