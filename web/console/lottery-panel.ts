import { html, nothing } from 'lit';
import { verifyDraw, type StreamerClient } from '@stickyroom/sdk';
import type { JoinData, LotteryDrawn, LotteryPublic } from '@stickyroom/sdk/protocol';
import { Ticker, secondsLeft } from '../shared/ticker.js';
import { Panel, fields } from './panel.js';
import { audienceFields, readAudience } from './audience-fields.js';

/** Compose a giveaway, show its commitment and entrant count, draw it, and check the draw. */
export class LotteryPanel extends Panel {
  static override properties = { ...Panel.properties, token: { attribute: false } };
  declare token: string;
  private lottery: LotteryPublic | null = null;
  private drawn: LotteryDrawn | null = null;
  private verified: boolean | null = null;
  private names = new Map<string, string>();

  constructor() {
    super();
    new Ticker(this);
  }

  protected subscribe(c: StreamerClient) {
    return [
      c.on('chat:message', (m) => this.names.set(m.userId, m.name)),
      c.on('lottery:started', (l) => {
        if (!this.mine(l)) return;
        this.lottery = l;
        this.drawn = null;
        this.verified = null;
        this.requestUpdate();
      }),
      // staff only: the entrant count while entries are open
      c.on('lottery:entrants', (e) => {
        if (!this.mine(e) || e.lotteryId !== this.lottery?.id) return;
        this.lottery = { ...this.lottery, entrants: e.entrants };
        this.requestUpdate();
      }),
      c.on('lottery:drawn', (d) => {
        if (!this.mine(d)) return;
        this.drawn = d;
        this.verified = null;
        this.requestUpdate();
      }),
    ];
  }

  protected override applySnapshot(d: JoinData): void {
    for (const m of d.chat) this.names.set(m.userId, m.name);
    if (d.lottery) {
      this.lottery = d.lottery;
      this.drawn = d.lottery.result ?? null;
    }
  }

  private async create(e: Event) {
    const form = e.target as HTMLFormElement;
    const f = fields(e);
    const audience = readAudience(form);
    const r = await this.act(() =>
      this.client.createLottery(this.streamId, {
        ...(audience ? { audience } : {}),
        prize: f.prize ?? '',
        winners: Number(f.winners ?? 1),
        durationSec: Number(f.durationSec ?? 60),
        ...(f.keyword ? { keyword: f.keyword } : {}),
      }),
    );
    if (r) form.reset();
  }

  private async draw() {
    const l = this.lottery;
    if (!l) return;
    const r = await this.act(() => this.client.drawLottery(l.id));
    if (r) this.drawn = r.result;
  }

  private async verify() {
    const d = this.drawn;
    const l = this.lottery;
    if (!d || !l) return;
    await this.act(async () => {
      const res = await fetch(`/api/lotteries/${encodeURIComponent(d.lotteryId)}/entrants`, { headers: { authorization: `Bearer ${this.token}` } });
      const body = (await res.json()) as { entries?: { id: string; nonce?: string }[]; error?: unknown };
      if (!res.ok || !body.entries) throw body.error ?? { code: 'internal' };
      const check = await verifyDraw({ commitment: l.commitment, seed: d.seed, winnerCount: l.winners, winners: d.winners, entrantsHash: d.entrantsHash, entries: body.entries });
      this.verified = check.valid;
    });
  }

  override render() {
    const t = this.t.bind(this);
    const l = this.lottery;
    const open = l && !this.drawn && l.status === 'open';
    return html`<section class="card" aria-labelledby="lottery-h">
      <h2 id="lottery-h">${t('console.lottery')}</h2>
      ${l
        ? html`<p><strong>${t('lottery.prize', { prize: l.prize })}</strong> · ${t('lottery.winnersCount', { count: l.winners })}</p>
            <p class="muted">${t('lottery.commitment')}</p>
            <p><code>${l.commitment}</code></p>`
        : nothing}
      ${open
        ? html`<p class="muted">${t('lottery.endsIn', { count: secondsLeft(l.endsAt) })} · ${t('lottery.entrants', { count: l.entrants })}</p>
            <button @click=${() => this.draw()}>${t('console.draw')}</button>`
        : nothing}
      ${this.drawn ? this.renderDrawn(this.drawn) : nothing} ${open ? nothing : this.renderComposer()} ${this.renderFeedback()}
    </section>`;
  }

  private renderDrawn(d: LotteryDrawn) {
    const t = this.t.bind(this);
    return html`<div role="status">
      <p><strong>${t('lottery.drawn')}</strong> · ${t('lottery.entrants', { count: d.entrants })}</p>
      ${d.winners.length ? html`<ol>${d.winners.map((w) => html`<li class="item">${this.names.get(w) ?? w} <span class="muted">(${w})</span></li>`)}</ol>` : html`<p>${t('lottery.noWinners')}</p>`}
      <details><summary>${t('lottery.seed')}</summary><code>${d.seed}</code></details>
      <div class="row">
        <button class="secondary" @click=${() => this.verify()}>${t('console.verify')}</button>
        ${this.verified === null ? nothing : html`<span class="notice ${this.verified ? 'ok' : 'error'}">${this.verified ? t('lottery.verified') : t('lottery.notVerified')}</span>`}
      </div>
    </div>`;
  }

  private renderComposer() {
    const t = this.t.bind(this);
    return html`<form @submit=${(e: Event) => this.create(e)}>
      <label>${t('console.prize')}<input name="prize" required maxlength="200" /></label>
      <div class="grid2">
        <label>${t('console.winners')}<input name="winners" type="number" min="1" max="1000" value="1" required /></label>
        <label>${t('console.duration')}<input name="durationSec" type="number" min="1" max="86400" value="60" required /></label>
      </div>
      <label>${t('console.keyword')}<input name="keyword" maxlength="50" /></label>
      ${audienceFields(this.i18n)}
      <button type="submit" ?disabled=${!this.live}>${t('console.startLottery')}</button>
    </form>`;
  }
}
customElements.define('sr-lottery-panel', LotteryPanel);
