import { LitElement, html, nothing } from 'lit';
import '../widget/index.js';
import { I18n, pickLang } from '../shared/i18n/index.js';
import { controls, tokens } from '../shared/theme.js';

/**
 * `/demo/streams/:id` (development only): a stand-in player beside the widget, as a shop would place them.
 * The viewer is a throwaway guest unless the fragment carries a token (`#token=...`); `?lang=zh-CN` picks
 * the language.
 */
class StickyroomDemo extends LitElement {
  static override styles = [tokens, controls];
  static override properties = { token: { state: true }, error: { state: true } };
  declare token: string;
  declare error: string;
  private readonly streamId = decodeURIComponent(location.pathname.split('/').pop() ?? '');
  private readonly language = pickLang(new URLSearchParams(location.search).get('lang'));

  constructor() {
    super();
    this.token = '';
    this.error = '';
  }

  // The page lays out its own light DOM: the player and the widget are plain children styled by page.css.
  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    document.documentElement.lang = this.language;
    const m = /(?:^#|&)token=([^&]+)/.exec(location.hash);
    if (m) {
      this.token = decodeURIComponent(m[1]!);
      history.replaceState(null, '', location.pathname + location.search);
      return;
    }
    fetch('/demo/token', { method: 'POST' })
      .then((r) => (r.ok ? r.json() : Promise.reject(new Error(String(r.status)))))
      .then((b: { token: string }) => (this.token = b.token))
      .catch(() => (this.error = new I18n(this.language).t('error.unavailable', { seconds: 5 })));
  }

  override render() {
    return html`<main class="demo">
      <div class="player" role="img" aria-label="Live video (demo)"><p>▶ LIVE · demo player</p></div>
      ${this.error ? html`<p role="alert">${this.error}</p>` : nothing}
      ${this.token ? html`<stickyroom-room stream=${this.streamId} token=${this.token} lang=${this.language}></stickyroom-room>` : nothing}
    </main>`;
  }
}

if (!customElements.get('stickyroom-demo')) customElements.define('stickyroom-demo', StickyroomDemo);
