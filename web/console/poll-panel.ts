import { html, nothing } from 'lit';
import type { StreamerClient } from '@stickyroom/sdk';
import type { JoinData, PollFinal, PollPublic, PollResults } from '@stickyroom/sdk/protocol';
import { Ticker, secondsLeft } from '../shared/ticker.js';
import { Panel, fields } from './panel.js';
import { MIN_OPTIONS, optionFields, readOptions } from './option-fields.js';
import { audienceFields, readAudience } from './audience-fields.js';


/** Ask the room a question with 2–6 options, watch the votes come in, close it, read the final result. */
export class PollPanel extends Panel {
  private poll: PollPublic | null = null;
  private results: PollResults | null = null;
  private final: PollFinal | null = null;
  private optionCount = MIN_OPTIONS;

  constructor() {
    super();
    new Ticker(this);
  }

  protected subscribe(c: StreamerClient) {
    return [
      c.on('poll:started', (p) => {
        if (!this.mine(p)) return;
        this.poll = p;
        this.results = null;
        this.final = null;
        this.requestUpdate();
      }),
      c.on('poll:results', (r) => {
        if (!this.mine(r) || r.pollId !== this.poll?.id) return;
        // pushes from several nodes may cross: the count of votes only grows
        if (!this.results || r.votes >= this.results.votes) this.results = r;
        this.requestUpdate();
      }),
      c.on('poll:closed', (f) => {
        if (!this.mine(f)) return;
        this.final = f;
        if (this.poll?.id === f.pollId) this.poll = null;
        this.requestUpdate();
      }),
    ];
  }

  protected override applySnapshot(d: JoinData): void {
    this.poll = d.poll ?? null;
    this.results = d.poll?.results ?? null;
  }

  private async create(e: Event) {
    const form = e.target as HTMLFormElement;
    const f = fields(e);
    const options = readOptions(f, this.optionCount);
    const durationSec = Number(f.durationSec ?? 0);
    const points = Number(f.points ?? 0);
    const audience = readAudience(form);
    const r = await this.act(() =>
      this.client.createPoll(this.streamId, {
        ...(audience ? { audience } : {}),
        question: f.question ?? '',
        options,
        ...(durationSec > 0 ? { durationSec } : {}),
        ...(points > 0 ? { points } : {}),
      }),
    );
    if (r) {
      form.reset();
      this.optionCount = MIN_OPTIONS;
      this.final = null;
      // the push may have come first; else show the poll from what was sent
      if (this.poll?.id !== r.poll.id) {
        this.poll = {
          id: r.poll.id,
          streamId: this.streamId,
          question: f.question ?? '',
          options,
          ...(r.poll.endsAt ? { endsAt: r.poll.endsAt } : {}),
          ...(points > 0 ? { points } : {}),
        };
        this.results = null;
      }
      this.requestUpdate();
    }
  }

  private async close() {
    const poll = this.poll;
    if (!poll) return;
    const r = await this.act(() => this.client.closePoll(poll.id));
    if (r) {
      this.final = r.result;
      this.poll = null;
      this.requestUpdate();
    }
  }

  override render() {
    const t = this.t.bind(this);
    return html`<section class="card" aria-labelledby="poll-h">
      <h2 id="poll-h">${t('poll.title')}</h2>
      ${this.poll ? this.renderOpen(this.poll) : this.renderComposer()} ${this.final ? this.renderFinal(this.final) : nothing}
      ${this.renderFeedback()}
    </section>`;
  }

  private renderOpen(p: PollPublic) {
    const t = this.t.bind(this);
    const r = this.results;
    return html`<p><strong>${p.question}</strong></p>
      <p class="muted">${p.endsAt ? html`${t('quiz.endsIn', { count: secondsLeft(p.endsAt) })} · ` : nothing}${t('poll.votes', { count: r?.votes ?? 0 })}</p>
      <ol class="options" aria-live="polite">${p.options.map((o, i) => html`<li class="item">${o}: ${t('poll.votes', { count: r?.counts[i] ?? 0 })}</li>`)}</ol>
      <button class="secondary" @click=${() => this.close()}>${t('console.closePoll')}</button>`;
  }

  private renderComposer() {
    const t = this.t.bind(this);
    return html`<form @submit=${(e: Event) => this.create(e)}>
      <label>${t('console.pollQuestion')}<input name="question" required maxlength="300" /></label>
      ${optionFields(this.i18n, this.optionCount, () => {
        this.optionCount++;
        this.requestUpdate();
      })}
      <div class="grid2">
        <label>${t('console.pollDuration')}<input name="durationSec" type="number" min="1" max="3600" /></label>
        <label>${t('console.pollPoints')}<input name="points" type="number" min="0" max="1000000" /></label>
      </div>
      ${audienceFields(this.i18n)}
      <button type="submit" ?disabled=${!this.live}>${t('console.startPoll')}</button>
    </form>`;
  }

  private renderFinal(f: PollFinal) {
    const t = this.t.bind(this);
    return html`<div class="result" role="status">
      <p><strong>${t('poll.final')}: ${f.question}</strong></p>
      <ul>${f.options.map((o, i) => html`<li class="item">${o}: ${t('poll.votes', { count: f.counts[i] ?? 0 })}</li>`)}</ul>
      <p class="muted">${t('poll.voters', { count: f.votes })}</p>
    </div>`;
  }
}
customElements.define('sr-poll-panel', PollPanel);
