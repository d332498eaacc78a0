import { html, nothing, type TemplateResult } from 'lit';
import type { I18n, Lang } from './i18n/index.js';
import { claimsOf } from './token.js';

/**
 * The header a signed-in page shows: its title, who is signed in, the language picker, and (where the page
 * offers it) sign-out. The page's own styles give `.top` and `.row` their look.
 */
export function topBar(p: {
  title: string;
  i18n: I18n;
  token: string | null;
  language: Lang;
  onLanguage: (lang: Lang) => void;
  onSignOut?: () => void;
}): TemplateResult {
  const t = p.i18n.t.bind(p.i18n);
  const claims = p.token ? claimsOf(p.token) : {};
  return html`
    <div class="top">
      <h1>${p.title}</h1>
      <div class="row">
        ${p.token ? html`<span class="muted">${t('console.signedInAs', { name: claims.name ?? claims.sub ?? '', role: claims.role ?? '', brand: claims.brandId ?? '' })}</span>` : nothing}
        <label>${t('console.language')}
          <select aria-label=${t('console.language')} @change=${(e: Event) => p.onLanguage((e.target as HTMLSelectElement).value as Lang)}>
            <option value="en" ?selected=${p.language === 'en'}>English</option>
            <option value="zh-CN" ?selected=${p.language === 'zh-CN'}>简体中文</option>
          </select>
        </label>
        ${p.token && p.onSignOut ? html`<button class="secondary" @click=${p.onSignOut}>${t('console.signOut')}</button>` : nothing}
      </div>
    </div>`;
}
