import { html, nothing } from 'lit';
import type { StreamerClient } from '@stickyroom/sdk';
import type { JoinData, QuizPublic, QuizResult } from '@stickyroom/sdk/protocol';
import { Ticker, secondsLeft } from '../shared/ticker.js';
import { Panel, fields } from './panel.js';
import { MIN_OPTIONS, optionFields, readOptions } from './option-fields.js';


/** Compose a quiz, watch its countdown (and live answer count), close it, read the result. */
export class QuizPanel extends Panel {
  private quiz: QuizPublic | null = null;
  private result: QuizResult | null = null;
  private answers: number | null = null;
  private liveCounts: number[] = [];
  private optionCount = MIN_OPTIONS;

  constructor() {
    super();
    new Ticker(this);
  }

  protected subscribe(c: StreamerClient) {
    return [
      c.on('quiz:started', (q) => {
        if (!this.mine(q)) return;
        this.quiz = q;
        this.result = null;
        this.answers = null;
        this.liveCounts = [];
        this.requestUpdate();
      }),
      // staff only: the answers so far, per option, while the quiz is open
      c.on('quiz:answers', (e) => {
        if (!this.mine(e) || e.quizId !== this.quiz?.id) return;
        this.answers = e.answers;
        this.liveCounts = e.counts;
        this.requestUpdate();
      }),
      c.on('quiz:result', (r) => {
        if (!this.mine(r)) return;
        this.result = r;
        this.quiz = null;
        this.requestUpdate();
      }),
    ];
  }

  protected override applySnapshot(d: JoinData): void {
    this.quiz = d.quiz ?? null;
  }

  private async create(e: Event) {
    const form = e.target as HTMLFormElement;
    const f = fields(e);
    const options = readOptions(f, this.optionCount);
    const points = Number(f.points ?? 0);
    const r = await this.act(() =>
      this.client.createQuiz(this.streamId, {
        question: f.question ?? '',
        options,
        correctOption: Number(f.correct ?? 0),
        durationSec: Number(f.durationSec ?? 30),
        reward: points > 0 ? { points } : {},
      }),
    );
    if (r) form.reset();
  }

  private async close() {
    const quiz = this.quiz;
    if (!quiz) return;
    const r = await this.act(() => this.client.closeQuiz(quiz.id));
    if (r) {
      this.result = r.result;
      this.quiz = null;
    }
  }

  override render() {
    const t = this.t.bind(this);
    return html`<section class="card" aria-labelledby="quiz-h">
      <h2 id="quiz-h">${t('console.quiz')}</h2>
      ${this.quiz ? this.renderOpen(this.quiz) : this.renderComposer()} ${this.result ? this.renderResult(this.result) : nothing}
      ${this.renderFeedback()}
    </section>`;
  }

  private renderOpen(q: QuizPublic) {
    const t = this.t.bind(this);
    return html`<p><strong>${q.question}</strong></p>
      <p class="muted">${t('quiz.endsIn', { count: secondsLeft(q.endsAt) })}${this.answers !== null ? html` · ${t('console.liveAnswers', { count: this.answers })}` : nothing}</p>
      <ol class="options">${q.options.map((o, i) => html`<li class="item">${o}: ${t('quiz.answers', { count: this.liveCounts[i] ?? 0 })}</li>`)}</ol>
      <button class="secondary" @click=${() => this.close()}>${t('console.closeQuiz')}</button>`;
  }

  private renderComposer() {
    const t = this.t.bind(this);
    const idx = Array.from({ length: this.optionCount }, (_, i) => i);
    return html`<form @submit=${(e: Event) => this.create(e)}>
      <label>${t('console.quizQuestion')}<input name="question" required maxlength="300" /></label>
      ${optionFields(this.i18n, this.optionCount, () => {
        this.optionCount++;
        this.requestUpdate();
      })}
      <div class="grid2">
        <label>${t('console.correctOption')}<select name="correct" aria-label=${t('console.correctOption')}>${idx.map((i) => html`<option value=${i}>${t('console.option', { n: String(i + 1) })}</option>`)}</select></label>
        <label>${t('console.duration')}<input name="durationSec" type="number" min="1" max="3600" value="30" required /></label>
      </div>
      <label>${t('console.points')}<input name="points" type="number" min="0" max="1000000" value="10" /></label>
      <button type="submit" ?disabled=${!this.live}>${t('console.startQuiz')}</button>
    </form>`;
  }

  private renderResult(r: QuizResult) {
    const t = this.t.bind(this);
    return html`<div class="result" role="status">
      <p><strong>${r.question}</strong></p>
      <p>${t('quiz.correct', { option: r.options[r.correctOption] ?? '' })}</p>
      <ul>${r.options.map((o, i) => html`<li class="item">${o}: ${t('quiz.answers', { count: r.counts[i] ?? 0 })}</li>`)}</ul>
      <p class="muted">${t('quiz.answers', { count: r.answers })} · ${t('quiz.correctCount', { count: r.correct })}</p>
    </div>`;
  }
}
customElements.define('sr-quiz-panel', QuizPanel);
