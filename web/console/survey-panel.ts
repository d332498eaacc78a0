import { css, html, type PropertyValues } from 'lit';
import type { StreamerClient } from '@stickyroom/sdk';
import type { SurveySettings } from '@stickyroom/sdk/protocol';
import { Panel, fields } from './panel.js';

/**
 * The post-stream survey's settings (on/off, question, minimum watch minutes, answer window), set with
 * `stream:survey` until the stream ends. A `stream:survey` with no change answers the settings in force.
 */
export class SurveyPanel extends Panel {
  static override styles = [
    ...Panel.styles,
    css`
      details { margin-top: 0; }
      summary h2 { display: inline; margin: 0; }
      label.check { flex-direction: row; align-items: center; gap: 6px; font-size: 15px; color: var(--_fg); }
      label.check input { min-height: 0; }
      form { margin-top: 8px; }
    `,
  ];
  private settings: SurveySettings | null = null;
  private ended = false;

  protected subscribe(c: StreamerClient) {
    return [
      c.on('stream:state', (e) => {
        if (e.stream.id !== this.streamId || e.stream.status !== 'ended') return;
        this.ended = true;
        this.requestUpdate();
      }),
    ];
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    if ((changed.has('client') || changed.has('streamId')) && this.client && this.streamId) void this.load();
  }

  private async load(): Promise<void> {
    if (this.snapshot?.stream.status === 'ended') {
      this.ended = true;
      this.requestUpdate();
      return;
    }
    try {
      this.settings = (await this.client.configureSurvey(this.streamId, {})).survey;
    } catch (err) {
      if ((err as { code?: string }).code === 'closed') this.ended = true;
    }
    this.requestUpdate();
  }

  private async save(e: Event): Promise<void> {
    const form = e.target as HTMLFormElement;
    const f = fields(e);
    const enabled = form.querySelector<HTMLInputElement>('input[name="enabled"]')?.checked ?? true;
    const r = await this.act(
      () =>
        this.client.configureSurvey(this.streamId, {
          enabled,
          ...(f.question ? { question: f.question } : {}),
          ...(f.minWatchMin !== undefined ? { minWatchMin: Number(f.minWatchMin) } : {}),
          ...(f.windowHours !== undefined ? { windowHours: Number(f.windowHours) } : {}),
        }),
      this.t('console.surveySaved'),
    );
    if (r) this.settings = r.survey;
    this.requestUpdate();
  }

  override render() {
    const t = this.t.bind(this);
    const s = this.settings;
    return html`<section class="card" aria-labelledby="survey-h">
      <details>
        <summary><h2 id="survey-h" class="inline">${t('console.survey')}</h2></summary>
        ${this.ended
          ? html`<p class="muted">${t('console.surveyFixed')}</p>`
          : s
            ? html`<form @submit=${(e: Event) => this.save(e)}>
                <label class="check"><input type="checkbox" name="enabled" .checked=${s.enabled} /> ${t('console.surveyEnabled')}</label>
                <label>${t('console.surveyQuestion')}<input name="question" maxlength="300" .value=${s.question} /></label>
                <div class="grid2">
                  <label>${t('console.surveyMinWatch')}<input name="minWatchMin" type="number" min="0" max="1440" required .value=${String(s.minWatchMin)} /></label>
                  <label>${t('console.surveyWindow')}<input name="windowHours" type="number" min="1" max="720" required .value=${String(s.windowHours)} /></label>
                </div>
                <button type="submit">${t('console.surveySave')}</button>
              </form>`
            : html`<p class="muted">${t('conn.connecting')}</p>`}
        ${this.renderFeedback()}
      </details>
    </section>`;
  }
}
customElements.define('sr-survey-panel', SurveyPanel);
