import { html, nothing } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { StreamerClient } from '@stickyroom/sdk';
import type { JoinData, QuestionPublic } from '@stickyroom/sdk/protocol';
import { Panel } from './panel.js';

/** The audience's open questions, most votes first; mark one answered, with a points reward if wanted. */
export class QuestionsPanel extends Panel {
  private questions = new Map<string, QuestionPublic>();

  protected subscribe(c: StreamerClient) {
    const put = (q: QuestionPublic) => {
      if (q.streamId !== this.streamId) return;
      this.questions.set(q.id, q);
      this.requestUpdate();
    };
    return [c.on('qa:question', put), c.on('qa:updated', put)];
  }

  protected override applySnapshot(d: JoinData): void {
    for (const q of d.questions ?? []) this.questions.set(q.id, q);
  }

  private async answered(q: QuestionPublic, e: Event) {
    const input = (e.target as HTMLElement).closest('li')?.querySelector<HTMLInputElement>('input[name="points"]');
    const points = Number(input?.value ?? 0);
    const r = await this.act(() => this.client.markAnswered(q.id, points > 0 ? { points } : undefined));
    if (r) {
      this.questions.set(q.id, r.question);
      this.requestUpdate();
    }
  }

  override render() {
    const t = this.t.bind(this);
    const open = [...this.questions.values()].filter((q) => q.status === 'open').sort((a, b) => b.votes - a.votes || a.at - b.at);
    return html`<section class="card" aria-labelledby="qa-h">
      <h2 id="qa-h">${t('console.questions')}</h2>
      ${open.length === 0 ? html`<p class="muted">${t('console.noQuestions')}</p>` : nothing}
      <ol>
        ${repeat(
          open,
          (q) => q.id,
          (q) => html`<li class="item">
            <div><strong>${q.name}</strong> <span class="badge">${t('console.votes', { count: q.votes })}</span></div>
            <div>${q.text}</div>
            <div class="row">
              <label>${t('console.rewardPoints')}<input name="points" type="number" min="0" max="1000000" value="0" /></label>
              <button class="small" aria-label=${t('console.answeredLabel', { text: q.text })} @click=${(e: Event) => this.answered(q, e)}>${t('console.answered')}</button>
            </div>
          </li>`,
        )}
      </ol>
      ${this.renderFeedback()}
    </section>`;
  }
}
customElements.define('sr-questions-panel', QuestionsPanel);
