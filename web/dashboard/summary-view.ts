import { LitElement, css, html, nothing, svg, type PropertyValues } from 'lit';
import type { StreamSummary, SummaryMoment, TimelinePoint } from '@stickyroom/sdk/protocol';
import { I18n, type MessageKey } from '../shared/i18n/index.js';
import { refusalText } from '../shared/errors.js';
import { controls, tokens } from '../shared/theme.js';

const SERIES = ['viewers', 'chat', 'likes', 'claims', 'orders'] as const;
type Series = (typeof SERIES)[number];
const W = 1000;
const H = 150;
const PAD = { left: 44, right: 12, top: 14, bottom: 22 };

/** The stream's export tables the page offers as CSV, beside the viewers of the summary. */
const EXPORTS: readonly [string, MessageKey][] = [
  ['chat', 'dash.exportChat'],
  ['orders', 'dash.exportOrders'],
  ['claims', 'dash.exportClaims'],
  ['moderation', 'dash.exportModeration'],
  ['survey', 'dash.exportSurvey'],
];

/**
 * One stream's summary for a brand team: the figures, a chart per series across the full width with the
 * stream's moments marked one by one, the funnel, segments, top viewers by what they did, and giveaways
 * (seed and commitment one click away). Polls while the summary is not final.
 */
export class SummaryView extends LitElement {
  static override styles = [
    tokens,
    controls,
    css`
      :host { display: block; }
      .cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(190px, 1fr)); gap: 10px; margin: 12px 0; }
      .label { font-size: 13px; color: var(--_muted); }
      .value { font-size: 24px; font-weight: 650; }
      svg { width: 100%; height: auto; display: block; }
      .chart { margin: 10px 0; }
      .axis { stroke: var(--_border); }
      .tick { font-size: 11px; fill: var(--_muted); }
      .line { fill: none; stroke: var(--_accent); stroke-width: 2; }
      .area { fill: color-mix(in srgb, var(--_accent) 12%, transparent); }
      .mline { stroke: #b45309; stroke-dasharray: 4 3; }
      .mlabel { font-size: 11px; font-weight: 700; fill: #92400e; }
      table { border-collapse: collapse; width: 100%; font-size: 14px; }
      th, td { text-align: left; padding: 6px; border-bottom: 1px solid var(--_border); vertical-align: top; overflow-wrap: anywhere; }
      .bar { height: 10px; background: var(--_accent); border-radius: 4px; min-width: 2px; }
      section { margin-bottom: 12px; }
      ol.moments { padding-left: 20px; margin: 0; }
    `,
  ];
  static override properties = {
    token: { attribute: false },
    streamId: { attribute: false },
    i18n: { attribute: false },
    summary: { state: true },
    error: { state: true },
  };
  declare token: string;
  declare streamId: string;
  declare i18n: I18n;
  declare summary: StreamSummary | undefined;
  declare error: string;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    super();
    this.i18n = new I18n('en');
    this.error = '';
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.timer);
  }

  private async load(): Promise<void> {
    clearTimeout(this.timer);
    try {
      const res = await fetch(`/api/streams/${encodeURIComponent(this.streamId)}/summary`, { headers: { authorization: `Bearer ${this.token}` } });
      const body = (await res.json().catch(() => ({}))) as StreamSummary & { error?: unknown };
      if (!res.ok) throw body.error ?? { code: 'internal' };
      this.summary = body;
      this.error = '';
      if (!body.final) this.timer = setTimeout(() => void this.load(), 15_000);
    } catch (err) {
      this.error = refusalText(this.i18n, err);
      this.dispatchEvent(new CustomEvent('refused', { detail: err, bubbles: true, composed: true }));
    }
  }

  /** Downloads a CSV of the stream: the summary's viewers (`summary.csv`) or one export table. */
  private async downloadCsv(path: string, filename: string): Promise<void> {
    try {
      const res = await fetch(`/api/streams/${encodeURIComponent(this.streamId)}/${path}`, { headers: { authorization: `Bearer ${this.token}` } });
      if (!res.ok) throw ((await res.json().catch(() => ({}))) as { error?: unknown }).error ?? { code: 'internal' };
      const url = URL.createObjectURL(await res.blob());
      const a = document.createElement('a');
      a.href = url;
      a.download = `stream-${this.streamId}-${filename}.csv`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (err) {
      this.error = refusalText(this.i18n, err);
    }
  }

  override render() {
    const s = this.summary;
    const t = this.i18n.t.bind(this.i18n);
    if (!s) return this.error ? html`<p class="notice error" role="alert">${this.error}</p>` : nothing;
    const pct = (r: number | null) => (r === null ? '—' : new Intl.NumberFormat(this.i18n.lang, { style: 'percent', maximumFractionDigits: 1 }).format(r));
    const money = Object.entries(s.revenueByCurrency).map(([cur, cents]) => this.i18n.money(cents / 100, cur)).join(' · ') || this.i18n.num(0);
    const card = (label: MessageKey, value: string, detail?: string) =>
      html`<div class="card"><div class="label">${t(label)}</div><div class="value">${value}</div>${detail ? html`<div class="muted">${detail}</div>` : nothing}</div>`;
    return html`
      <h2>${s.title}</h2>
      <p class="muted" role="status">${s.final ? t('dash.final', { time: this.i18n.dateTime(s.computedAt) }) : t('dash.partial', { status: t(`stream.${s.status}`) })}</p>
      ${this.error ? html`<p class="notice error" role="alert">${this.error}</p>` : nothing}
      <button class="secondary" @click=${() => this.downloadCsv('summary.csv', 'viewers')}>${t('dash.csv')}</button>
      ${EXPORTS.map(([table, label]) => html`<button class="secondary" @click=${() => this.downloadCsv(`export/${table}?format=csv`, table)}>${t(label)}</button>`)}
      <div class="cards">
        ${card('dash.uniqueViewers', this.i18n.num(s.uniqueViewers))} ${card('dash.peak', this.i18n.num(s.peakConcurrent))}
        ${card('dash.avgWatch', duration(s.avgWatchSec))}
        ${card('dash.chat', this.i18n.num(s.chatMessages), t('dash.chatters', { count: s.chatters }))}
        ${card('dash.likes', this.i18n.num(s.likes), t('dash.likers', { count: s.likers }))}
        ${card('dash.questions', this.i18n.num(s.questions), t('dash.askers', { count: s.askers }))}
        ${s.qa
          ? card(
              'dash.unanswered',
              pct(s.qa.unansweredRate),
              s.qa.answerLatencyP50Sec === null ? undefined : t('dash.answerTime', { time: duration(s.qa.answerLatencyP50Sec) }),
            )
          : nothing}
        ${card('dash.quizAnswers', this.i18n.num(s.quizAnswers), t('dash.accuracy', { percent: pct(s.quizAccuracy) }))}
        ${card('dash.lotteryEntries', this.i18n.num(s.lotteryEntries), t('dash.lotteryWinners', { count: s.lotteryWinners }))}
        ${card('dash.couponClaims', this.i18n.num(s.couponClaims), t('dash.redeemed', { count: s.couponRedemptions }))}
        ${card('dash.rewardRedemptions', this.i18n.num(s.redemptions ?? 0), t('dash.pointsSpent', { points: this.i18n.num(s.pointsRedeemed ?? 0) }))}
        ${card('dash.orders', this.i18n.num(s.orders), t('dash.buyers', { count: s.buyers }))} ${card('dash.revenue', money)}
        ${card('dash.engagement', pct(s.engagementRate))}
        ${s.survey
          ? card('dash.nps', s.survey.nps === null ? '—' : this.i18n.num(s.survey.nps), t('dash.npsResponses', { count: s.survey.responses, percent: pct(s.survey.responseRate) }))
          : nothing}
        ${card(
          'dash.referred',
          this.i18n.num(s.referredViewers),
          s.topReferrers[0] ? t('dash.topReferrer', { viewer: s.topReferrers[0].viewerId, count: this.i18n.num(s.topReferrers[0].referred) }) : undefined,
        )}
      </div>
      ${this.renderCharts(s)} ${this.renderFunnel(s)} ${this.renderTopViewers(s)} ${this.renderLotteries(s)} ${this.renderSegments(s)}
    `;
  }

  /** The minutes to draw: the current minute of a live stream is not over, so it is left out (not a drop). */
  private points(s: StreamSummary): TimelinePoint[] {
    if (s.final || s.status !== 'live') return s.timeline;
    const current = Math.floor(s.computedAt / 60_000);
    return s.timeline.filter((p) => p.minute < current);
  }

  private renderCharts(s: StreamSummary) {
    const t = this.i18n.t.bind(this.i18n);
    const points = this.points(s);
    const moments = [...s.moments].sort((a, b) => a.at - b.at);
    return html`<section class="card" aria-labelledby="charts-h">
      <h3 id="charts-h">${t('dash.moments')}</h3>
      ${moments.length
        ? html`<ol class="moments">
            ${moments.map((m) => html`<li>${this.i18n.time(m.at)} · ${t(`dash.moment.${m.kind}`)}${m.label ? html`: ${m.label}` : nothing}</li>`)}
          </ol>`
        : html`<p class="muted">${t('dash.none')}</p>`}
      ${SERIES.map((name) => this.chart(name, points, moments))}
    </section>`;
  }

  private chart(name: Series, points: TimelinePoint[], moments: SummaryMoment[]) {
    const t = this.i18n.t.bind(this.i18n);
    const title = t(`dash.series.${name}`);
    const first = points[0]?.minute ?? 0;
    const last = points[points.length - 1]?.minute ?? first;
    const span = Math.max(1, last - first);
    const max = Math.max(1, ...points.map((p) => p[name]));
    const x = (minute: number) => PAD.left + ((minute - first) / span) * (W - PAD.left - PAD.right);
    const y = (v: number) => H - PAD.bottom - (v / max) * (H - PAD.top - PAD.bottom);
    const line = points.map((p, i) => `${i ? 'L' : 'M'}${x(p.minute).toFixed(1)},${y(p[name]).toFixed(1)}`).join(' ');
    const area = points.length ? `${line} L${x(last).toFixed(1)},${y(0)} L${x(first).toFixed(1)},${y(0)} Z` : '';
    // moments of the same minute stand apart: each gets its own slot across that minute's width
    const perMinute = new Map<number, number>();
    const marks = moments.map((m, i) => {
      const k = perMinute.get(m.minute) ?? 0;
      perMinute.set(m.minute, k + 1);
      const within = (m.at % 60_000) / 60_000;
      return { n: i + 1, x: x(m.minute + within) + k * 14, kind: m.kind };
    });
    return html`<figure class="chart" data-series=${name}>
      <figcaption class="muted">${title}</figcaption>
      <svg viewBox="0 0 ${W} ${H}" role="img" aria-label=${title}>
        ${svg`
          <line class="axis" x1=${PAD.left} y1=${y(0)} x2=${W - PAD.right} y2=${y(0)}></line>
          <text class="tick" x=${PAD.left - 6} y=${y(max) + 4} text-anchor="end">${this.i18n.num(max)}</text>
          <text class="tick" x=${PAD.left - 6} y=${y(0) + 4} text-anchor="end">0</text>
          ${points.length ? svg`<text class="tick" x=${PAD.left} y=${H - 4}>${this.i18n.time(first * 60_000)}</text>
            <text class="tick" x=${W - PAD.right} y=${H - 4} text-anchor="end">${this.i18n.time(last * 60_000)}</text>` : nothing}
          <path class="area" d=${area}></path>
          <path class="line" d=${line}></path>
          ${marks
            .filter((m) => m.x >= PAD.left && m.x <= W - PAD.right)
            .map((m) => svg`<line class="mline" x1=${m.x} y1=${PAD.top} x2=${m.x} y2=${y(0)}></line>
              <text class="mlabel" x=${m.x + 2} y=${PAD.top - 2}>${m.n}</text>`)}
        `}
      </svg>
    </figure>`;
  }

  private renderFunnel(s: StreamSummary) {
    const t = this.i18n.t.bind(this.i18n);
    const steps: [MessageKey, number][] = [
      ['dash.funnel.viewers', s.uniqueViewers],
      ['dash.funnel.engaged', s.engagedViewers],
      ['dash.funnel.claimers', s.couponClaimers],
      ['dash.funnel.buyers', s.buyers],
    ];
    const top = Math.max(1, s.uniqueViewers);
    return html`<section class="card" aria-labelledby="funnel-h">
      <h3 id="funnel-h">${t('dash.funnel')}</h3>
      <table>
        ${steps.map(([k, n]) => html`<tr><th scope="row">${t(k)}</th><td>${this.i18n.num(n)}</td><td><div class="bar" data-share=${Math.min(100, (n / top) * 100).toFixed(1)}></div></td></tr>`)}
      </table>
    </section>`;
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    if (changed.has('token') || changed.has('streamId')) void this.load();
    // bar widths through the CSSOM: the page's CSP (rightly) refuses inline style attributes
    this.renderRoot.querySelectorAll<HTMLElement>('.bar[data-share]').forEach((el) => {
      el.style.width = `${el.dataset.share}%`;
    });
  }

  private renderTopViewers(s: StreamSummary) {
    const t = this.i18n.t.bind(this.i18n);
    return html`<section class="card" aria-labelledby="top-h">
      <h3 id="top-h">${t('dash.topViewers')}</h3>
      <table>
        <thead><tr><th>${t('dash.viewer')}</th><th>${t('dash.whatTheyDid')}</th><th>${t('dash.score')}</th></tr></thead>
        <tbody>
          ${s.topViewers.map(
            (v) => html`<tr>
              <td>${v.viewerId}</td>
              <td>${[
                t('dash.did.interactions', { count: v.interactions }),
                t('dash.did.likes', { count: v.likes }),
                t('dash.did.watch', { minutes: this.i18n.num(Math.round(v.watchSec / 60)) }),
                t('dash.did.orders', { count: v.orders }),
              ].join(' · ')}</td>
              <td>${v.score === null ? '—' : this.i18n.num(Math.round(v.score))}${v.segment ? html` <span class="badge">${v.segment}</span>` : nothing}</td>
            </tr>`,
          )}
        </tbody>
      </table>
    </section>`;
  }

  private renderLotteries(s: StreamSummary) {
    const t = this.i18n.t.bind(this.i18n);
    return html`<section class="card" aria-labelledby="lot-h">
      <h3 id="lot-h">${t('dash.lotteries')}</h3>
      ${s.lotteries.length === 0
        ? html`<p class="muted">${t('dash.noLotteries')}</p>`
        : html`<table>
            <thead><tr><th>${t('dash.prize')}</th><th>${t('dash.entrants')}</th><th>${t('dash.winners')}</th></tr></thead>
            <tbody>
              ${s.lotteries.map(
                (l) => html`<tr>
                  <td>${l.prize ?? '—'}</td>
                  <td>${this.i18n.num(l.entrants)}</td>
                  <td>${l.winners.length ? l.winners.join(', ') : t('dash.none')}
                    ${l.seed || l.commitment
                      ? html`<details><summary>${t('dash.fairness')}</summary><code>${l.seed ?? ''}</code><br /><code>${l.commitment ?? ''}</code></details>`
                      : nothing}</td>
                </tr>`,
              )}
            </tbody>
          </table>`}
    </section>`;
  }

  private renderSegments(s: StreamSummary) {
    const t = this.i18n.t.bind(this.i18n);
    const names = [...new Set([...Object.keys(s.segments.before), ...Object.keys(s.segments.after)])];
    if (names.length === 0) return nothing;
    return html`<section class="card" aria-labelledby="seg-h">
      <h3 id="seg-h">${t('dash.segments')}</h3>
      <table>
        <thead><tr><th>${t('dash.segment')}</th><th>${t('dash.before')}</th><th>${t('dash.after')}</th></tr></thead>
        <tbody>${names.map((n) => html`<tr><td>${n}</td><td>${this.i18n.num(s.segments.before[n] ?? 0)}</td><td>${this.i18n.num(s.segments.after[n] ?? 0)}</td></tr>`)}</tbody>
      </table>
    </section>`;
  }
}

function duration(sec: number): string {
  const m = Math.floor(sec / 60);
  const s = Math.round(sec % 60);
  return `${m}:${String(s).padStart(2, '0')}`;
}

customElements.define('sr-summary-view', SummaryView);
