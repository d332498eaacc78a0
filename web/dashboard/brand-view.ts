import { LitElement, css, html, nothing, svg, type PropertyValues } from 'lit';
import type { BrandReport, LeaderboardPage, ReportStreamFigures } from '@stickyroom/sdk/protocol';
import { I18n, type MessageKey } from '../shared/i18n/index.js';
import { refusalText } from '../shared/errors.js';
import { controls, tokens } from '../shared/theme.js';
import { fields } from '../console/panel.js';
import { BUYER_TIER_ORDER, mechanicRows, moveMatrix, type MechanicRow } from './brand-data.js';

/** The per-stream figures drawn as trends, and whether more is better (churn: less is). */
const TRENDS = [
  ['uniqueViewers', 'count'],
  ['avgWatchSec', 'duration'],
  ['engagementRate', 'rate'],
  ['returningRate', 'rate'],
  ['churnRate', 'rate'],
  ['revenue', 'money'],
  ['uvValue', 'money'],
  ['clickThroughRate', 'rate'],
  ['clickToOrderRate', 'rate'],
  ['postStreamRevenue', 'money'],
] as const;
type TrendFigure = (typeof TRENDS)[number][0];
type Kind = (typeof TRENDS)[number][1];
const SEGMENT_FILTERS = ['', 'new', 'casual', 'engaged', 'loyal', 'at-risk', 'dormant'] as const;
const CSV_TABLES = ['streams', 'cohorts', 'migration', 'leaderboard'] as const;
const W = 480;
const H = 120;
const PAD = { left: 48, right: 10, top: 12, bottom: 18 };

/**
 * `/dashboard/brands/:brandId`: whether the brand's audience is getting stickier. Trends of each stream's
 * figures with the flags (figures well below the brand's own median), cohort return curves as a heat map,
 * the flow between segments and buyer tiers, what each mechanic is worth (observational), and the
 * leaderboard with a segment filter and lifetime value. Every stream links to its own page.
 */
export class BrandView extends LitElement {
  static override styles = [
    tokens,
    controls,
    css`
      :host { display: block; }
      .cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(180px, 1fr)); gap: 10px; margin: 12px 0; }
      .label { font-size: 13px; color: var(--_muted); }
      .value { font-size: 22px; font-weight: 650; }
      .trends { display: grid; grid-template-columns: repeat(auto-fill, minmax(320px, 1fr)); gap: 10px; }
      svg { width: 100%; height: auto; display: block; }
      .axis { stroke: var(--_border); }
      .tick { font-size: 11px; fill: var(--_muted); }
      .line { fill: none; stroke: var(--_accent); stroke-width: 2; }
      .dot { fill: var(--_accent); }
      .flagged { fill: #b91c1c; }
      table { border-collapse: collapse; width: 100%; font-size: 14px; }
      th, td { text-align: left; padding: 6px; border-bottom: 1px solid var(--_border); vertical-align: top; overflow-wrap: anywhere; }
      td.num, th.num { text-align: right; }
      .heat td.cell { text-align: center; }
      section { margin-bottom: 12px; }
      .scroll { overflow-x: auto; }
      .flag { color: #b91c1c; }
      form.period, .filters { display: flex; flex-wrap: wrap; gap: 8px; align-items: end; }
      .csv { display: flex; flex-wrap: wrap; gap: 6px; }
      a { color: var(--_accent); }
    `,
  ];
  static override properties = {
    token: { attribute: false },
    brandId: { attribute: false },
    i18n: { attribute: false },
    report: { state: true },
    board: { state: true },
    error: { state: true },
  };
  declare token: string;
  declare brandId: string;
  declare i18n: I18n;
  declare report: BrandReport | undefined;
  declare board: LeaderboardPage | undefined;
  declare error: string;
  private range: { from?: string; to?: string } = {};
  private segment = '';

  constructor() {
    super();
    this.i18n = new I18n('en');
    this.error = '';
  }

  private api(path: string): Promise<Response> {
    return fetch(path, { headers: { authorization: `Bearer ${this.token}` } });
  }

  private reportPath(extra: Record<string, string> = {}): string {
    const q = new URLSearchParams({ ...(this.range.from ? { from: this.range.from } : {}), ...(this.range.to ? { to: this.range.to } : {}), ...extra });
    const qs = q.toString();
    return `/api/brands/${encodeURIComponent(this.brandId)}/report${qs ? `?${qs}` : ''}`;
  }

  private async load(): Promise<void> {
    try {
      const res = await this.api(this.reportPath());
      const body = (await res.json().catch(() => ({}))) as BrandReport & { error?: unknown };
      if (!res.ok) throw body.error ?? { code: 'internal' };
      this.report = body;
      this.error = '';
    } catch (err) {
      this.error = refusalText(this.i18n, err);
      this.dispatchEvent(new CustomEvent('refused', { detail: err, bubbles: true, composed: true }));
    }
    await this.loadBoard();
  }

  private async loadBoard(cursor?: string): Promise<void> {
    try {
      const q = new URLSearchParams({ limit: '20', ...(this.segment ? { segment: this.segment } : {}), ...(cursor ? { cursor } : {}) });
      const res = await this.api(`/api/brands/${encodeURIComponent(this.brandId)}/viewers?${q}`);
      const body = (await res.json().catch(() => ({}))) as LeaderboardPage & { error?: unknown };
      if (!res.ok) throw body.error ?? { code: 'internal' };
      this.board = cursor && this.board ? { ...body, viewers: [...this.board.viewers, ...body.viewers] } : body;
    } catch (err) {
      this.error = refusalText(this.i18n, err);
    }
  }

  private async download(table: (typeof CSV_TABLES)[number]): Promise<void> {
    try {
      const res = await this.api(this.reportPath({ format: 'csv', table }));
      if (!res.ok) throw ((await res.json().catch(() => ({}))) as { error?: unknown }).error ?? { code: 'internal' };
      const url = URL.createObjectURL(await res.blob());
      const a = document.createElement('a');
      a.href = url;
      a.download = `brand-${this.brandId}-${table}.csv`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (err) {
      this.error = refusalText(this.i18n, err);
    }
  }

  private setPeriod(e: Event): void {
    const f = fields(e);
    this.range = { ...(f.from ? { from: f.from } : {}), ...(f.to ? { to: f.to } : {}) };
    void this.load();
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    if (changed.has('token') || changed.has('brandId')) void this.load();
    // heat-map shades through the CSSOM: the page's CSP (rightly) refuses inline style attributes
    this.renderRoot.querySelectorAll<HTMLElement>('[data-heat]').forEach((el) => {
      const share = Number(el.dataset.heat);
      el.style.backgroundColor = `color-mix(in srgb, var(--_accent) ${Math.round(share * 85)}%, transparent)`;
      el.style.color = share > 0.55 ? '#fff' : '';
    });
  }

  private go(path: string, e: Event): void {
    e.preventDefault();
    this.dispatchEvent(new CustomEvent('navigate', { detail: path, bubbles: true, composed: true }));
  }

  private t(key: MessageKey, vars?: Record<string, string | number>): string {
    return this.i18n.t(key, vars);
  }

  private fmt(kind: Kind, v: number | null | undefined): string {
    if (v === null || v === undefined) return '—';
    if (kind === 'rate') return new Intl.NumberFormat(this.i18n.lang, { style: 'percent', maximumFractionDigits: 1 }).format(v);
    if (kind === 'duration') return `${Math.floor(v / 60)}:${String(Math.round(v % 60)).padStart(2, '0')}`;
    if (kind === 'money') return this.i18n.num(Math.round(v * 100) / 100);
    return this.i18n.num(v);
  }

  override render() {
    const r = this.report;
    const t = this.t.bind(this);
    if (!r) return this.error ? html`<p class="notice error" role="alert">${this.error}</p>` : nothing;
    const p = r.period;
    const card = (label: MessageKey, value: string, detail?: string) =>
      html`<div class="card"><div class="label">${t(label)}</div><div class="value">${value}</div>${detail ? html`<div class="muted">${detail}</div>` : nothing}</div>`;
    return html`
      <h2>${t('brand.title', { brand: r.brandId })}</h2>
      <p class="muted">${t('brand.period', { from: this.i18n.dateTime(r.from), to: this.i18n.dateTime(r.to), count: p.streams })}</p>
      ${this.error ? html`<p class="notice error" role="alert">${this.error}</p>` : nothing}
      <form class="period" @submit=${(e: Event) => this.setPeriod(e)}>
        <label>${t('brand.from')}<input name="from" type="date" /></label>
        <label>${t('brand.to')}<input name="to" type="date" /></label>
        <button type="submit" class="secondary">${t('brand.apply')}</button>
      </form>
      <div class="cards">
        ${card('dash.uniqueViewers', this.i18n.num(p.uniqueViewers))} ${card('dash.orders', this.i18n.num(p.orders), t('dash.buyers', { count: p.buyers }))}
        ${card('dash.revenue', this.fmt('money', p.revenue))}
        ${card('brand.repeatPurchaseRate', this.fmt('rate', p.repeatPurchaseRate))}
        ${card('brand.purchaseFrequency', p.purchaseFrequency === null ? '—' : this.i18n.num(Math.round(p.purchaseFrequency * 100) / 100))}
        ${card('brand.ltv', this.fmt('money', p.lifetimeValue.median), t('brand.ltvTop', { value: this.fmt('money', p.lifetimeValue.topDecile) }))}
      </div>
      <div class="csv">${CSV_TABLES.map((table) => html`<button class="secondary small" @click=${() => this.download(table)}>${t('brand.csv', { table: t(`brand.table.${table}`) })}</button>`)}</div>
      ${this.renderStreams(r)} ${this.renderTrends(r)} ${this.renderCohorts(r)} ${this.renderMigration(r)} ${this.renderMechanics(r)} ${this.renderEconomy(r)} ${this.renderBoard()}
    `;
  }

  private renderStreams(r: BrandReport) {
    const t = this.t.bind(this);
    return html`<section class="card" aria-labelledby="streams-h">
      <h3 id="streams-h">${t('brand.streams')}</h3>
      ${r.streams.length === 0
        ? html`<p class="muted">${t('brand.noStreams')}</p>`
        : html`<div class="scroll"><table>
            <thead><tr><th>${t('brand.stream')}</th><th class="num">${t('dash.uniqueViewers')}</th><th class="num">${t('brand.fig.returningRate')}</th><th class="num">${t('brand.fig.churnRate')}</th><th class="num">${t('dash.orders')}</th><th class="num">${t('brand.newBuyers')}</th><th class="num">${t('brand.fig.uvValue')}</th><th>${t('brand.flags')}</th></tr></thead>
            <tbody>
              ${r.streams.map(
                (s) => html`<tr>
                  <td><a href="/dashboard/streams/${encodeURIComponent(s.streamId)}" @click=${(e: Event) => this.go(`/dashboard/streams/${encodeURIComponent(s.streamId)}`, e)}>${s.title}</a><div class="muted">${this.i18n.dateTime(s.startedAt)}</div></td>
                  <td class="num">${this.i18n.num(s.uniqueViewers)}</td>
                  <td class="num">${this.fmt('rate', s.returningRate)}</td>
                  <td class="num">${this.fmt('rate', s.churnRate)}</td>
                  <td class="num">${this.i18n.num(s.orders)}</td>
                  <td class="num">${this.i18n.num(s.newBuyers)} / ${this.i18n.num(s.returningBuyers)}</td>
                  <td class="num">${this.fmt('money', s.uvValue)}</td>
                  <td>${s.flags.length
                    ? s.flags.map((f) => html`<div class="flag">${t('brand.flag', { figure: this.figureName(f.figure), value: this.fmtFigure(f.figure, f.value), median: this.fmtFigure(f.figure, f.median) })}</div>`)
                    : html`<span class="muted">—</span>`}</td>
                </tr>`,
              )}
            </tbody>
          </table></div>`}
    </section>`;
  }

  private figureName(figure: string): string {
    const key = `brand.fig.${figure}` as MessageKey;
    const name = this.t(key);
    return name === key ? figure : name;
  }

  private fmtFigure(figure: string, v: number): string {
    const kind = TRENDS.find(([f]) => f === figure)?.[1] ?? (figure.endsWith('Rate') ? 'rate' : 'count');
    return this.fmt(kind, v);
  }

  private renderTrends(r: BrandReport) {
    const t = this.t.bind(this);
    if (r.streams.length === 0) return nothing;
    return html`<section class="card" aria-labelledby="trends-h">
      <h3 id="trends-h">${t('brand.trends')}</h3>
      <p class="muted">${t('brand.trendsHelp')}</p>
      <div class="trends">${TRENDS.map(([figure, kind]) => this.trend(r.streams, figure, kind))}</div>
    </section>`;
  }

  private trend(streams: ReportStreamFigures[], figure: TrendFigure, kind: Kind) {
    const title = this.figureName(figure);
    const values = streams.map((s) => s[figure] as number | null);
    const known = values.filter((v): v is number => v !== null);
    const max = Math.max(kind === 'rate' ? 0.0001 : 1, ...known);
    const n = streams.length;
    const x = (i: number) => PAD.left + (n === 1 ? (W - PAD.left - PAD.right) / 2 : (i / (n - 1)) * (W - PAD.left - PAD.right));
    const y = (v: number) => H - PAD.bottom - (v / max) * (H - PAD.top - PAD.bottom);
    const pts = values.map((v, i) => (v === null ? null : { x: x(i), y: y(v), flagged: streams[i]!.flags.some((f) => f.figure === figure), s: streams[i]!, v }));
    const line = pts
      .filter((q) => q !== null)
      .map((q, i) => `${i ? 'L' : 'M'}${q.x.toFixed(1)},${q.y.toFixed(1)}`)
      .join(' ');
    return html`<figure data-figure=${figure}>
      <figcaption class="muted">${title}</figcaption>
      <svg viewBox="0 0 ${W} ${H}" role="img" aria-label=${title}>
        ${svg`
          <line class="axis" x1=${PAD.left} y1=${y(0)} x2=${W - PAD.right} y2=${y(0)}></line>
          <text class="tick" x=${PAD.left - 6} y=${y(max) + 4} text-anchor="end">${this.fmt(kind, max)}</text>
          <text class="tick" x=${PAD.left - 6} y=${y(0) + 4} text-anchor="end">${this.fmt(kind, 0)}</text>
          <path class="line" d=${line}></path>
          ${pts.map((q) =>
            q === null
              ? nothing
              : svg`<circle class=${q.flagged ? 'flagged' : 'dot'} cx=${q.x} cy=${q.y} r=${q.flagged ? 5 : 3.5}><title>${q.s.title}: ${this.fmt(kind, q.v)}</title></circle>`,
          )}
        `}
      </svg>
    </figure>`;
  }

  private renderCohorts(r: BrandReport) {
    const t = this.t.bind(this);
    if (r.cohorts.length === 0) return nothing;
    const later = r.streams.map((s) => s.streamId);
    const titles = new Map(r.streams.map((s) => [s.streamId, s.title]));
    return html`<section class="card" aria-labelledby="cohorts-h">
      <h3 id="cohorts-h">${t('brand.cohorts')}</h3>
      <p class="muted">${t('brand.cohortsHelp')}</p>
      <div class="scroll"><table class="heat">
        <thead><tr><th>${t('brand.cohort')}</th><th class="num">${t('brand.cohortSize')}</th>${later.map((id) => html`<th class="num">${titles.get(id) ?? id}</th>`)}</tr></thead>
        <tbody>
          ${r.cohorts.map((c) => {
            const cells = new Map(c.returns.map((x) => [x.streamId, x]));
            return html`<tr>
              <th scope="row">${titles.get(c.streamId) ?? c.streamId}</th>
              <td class="num">${this.i18n.num(c.size)}</td>
              ${later.map((id) => {
                const cell = cells.get(id);
                return cell
                  ? html`<td class="cell" data-heat=${cell.share ?? 0} title=${t('brand.cohortCell', { present: cell.present, size: c.size })}>${this.fmt('rate', cell.share)}</td>`
                  : html`<td class="cell muted">${id === c.streamId ? '●' : ''}</td>`;
              })}
            </tr>`;
          })}
        </tbody>
      </table></div>
    </section>`;
  }

  private renderMigration(r: BrandReport) {
    const t = this.t.bind(this);
    const pairs = r.migration.buyerTiers;
    if (pairs.length === 0 && r.migration.segments.length === 0) return nothing;
    const titles = new Map(r.streams.map((s) => [s.streamId, s.title]));
    const matrix = (moves: { from: string; to: string; viewers: number }[], order: readonly string[], label: (s: string) => string) => {
      const m = moveMatrix(moves, order);
      return html`<table>
        <thead><tr><th>${t('brand.fromTo')}</th>${m.states.map((s) => html`<th class="num">${label(s)}</th>`)}</tr></thead>
        <tbody>${m.rows.map((row) => html`<tr><th scope="row">${label(row.from)}</th>${row.cells.map((v) => html`<td class="num">${v ? this.i18n.num(v) : '·'}</td>`)}</tr>`)}</tbody>
      </table>`;
    };
    return html`<section class="card" aria-labelledby="flow-h">
      <h3 id="flow-h">${t('brand.flow')}</h3>
      ${pairs.map(
        (p, i) => html`<details ?open=${i === pairs.length - 1}>
          <summary>${t('brand.flowPair', { from: titles.get(p.fromStreamId) ?? p.fromStreamId, to: titles.get(p.toStreamId) ?? p.toStreamId })}</summary>
          <h4>${t('brand.buyerTiers')}</h4>
          ${matrix(p.moves, BUYER_TIER_ORDER, (s) => t(`brand.tier.${s}` as MessageKey))}
          <h4>${t('dash.segments')}</h4>
          ${matrix(r.migration.segments[i]?.moves ?? [], [], (s) => s)}
        </details>`,
      )}
    </section>`;
  }

  private renderMechanics(r: BrandReport) {
    const t = this.t.bind(this);
    const rows: MechanicRow[] = mechanicRows(r.mechanics);
    const rate = (v: number | null) => this.fmt('rate', v);
    const num = (v: number | null) => (v === null ? '—' : this.i18n.num(Math.round(v * 100) / 100));
    const vs = (a: number | null, b: number | null, f: (v: number | null) => string) => `${f(a)} / ${f(b)}`;
    return html`<section class="card" aria-labelledby="mech-h">
      <h3 id="mech-h">${t('brand.mechanics')}</h3>
      <p class="notice">${t('brand.observational')}</p>
      ${rows.length === 0
        ? html`<p class="muted">${t('brand.noMechanics')}</p>`
        : html`<div class="scroll"><table>
            <thead><tr>
              <th>${t('brand.mechanic')}</th><th class="num">${t('brand.moments')}</th><th class="num">${t('brand.retention')}</th>
              <th class="num">${t('brand.chatPerMin')}</th><th class="num">${t('brand.groups')}</th><th class="num">${t('brand.watchAfter')}</th>
              <th class="num">${t('brand.returned')}</th><th class="num">${t('brand.ordersAfter')}</th><th class="num">${t('brand.claimLeave')}</th><th class="num">${t('brand.costPerNewBuyer')}</th>
            </tr></thead>
            <tbody>
              ${rows.map(
                (m) => html`<tr data-mechanic=${m.type}>
                  <th scope="row">${t(`brand.mech.${m.type}` as MessageKey)}</th>
                  <td class="num">${this.i18n.num(m.moments)}</td>
                  <td class="num">${rate(m.retention5)} · ${rate(m.retention10)}</td>
                  <td class="num">${num(m.chatBefore)} → ${num(m.chatAfter)}</td>
                  <td class="num">${this.i18n.num(m.touchedMatched)} / ${this.i18n.num(m.controls)}</td>
                  <td class="num">${vs(m.watchAfter.touched, m.watchAfter.control, num)}</td>
                  <td class="num">${vs(m.returned.touched, m.returned.control, rate)}</td>
                  <td class="num">${vs(m.ordersAfter.touched, m.ordersAfter.control, num)}</td>
                  <td class="num">${m.claimLeave === null ? '—' : rate(m.claimLeave)}</td>
                  <td class="num">${num(m.costPerNewBuyer)}</td>
                </tr>`,
              )}
            </tbody>
          </table></div>
          <p class="muted">${t('brand.mechanicsHelp')}</p>`}
    </section>`;
  }

  private renderEconomy(r: BrandReport) {
    const t = this.t.bind(this);
    const e = r.pointsEconomy;
    const n = (v: number) => this.i18n.num(v);
    const ret = (g: { viewers: number; returned: number; rate: number }) => t('brand.returnedOf', { returned: n(g.returned), viewers: n(g.viewers), rate: this.fmt('rate', g.rate) });
    return html`<section class="card" aria-labelledby="points-h">
      <h3 id="points-h">${t('brand.points')}</h3>
      <table>
        <tbody>
          <tr><th scope="row">${t('brand.pointsIssued')}</th><td class="num">${n(e.totals.issued)}</td></tr>
          <tr><th scope="row">${t('brand.pointsRedeemed')}</th><td class="num">${n(e.totals.redeemed)} (${t('brand.redemptions', { count: e.totals.redemptions })})</td></tr>
          <tr><th scope="row">${t('brand.pointsExpired')}</th><td class="num">${n(e.totals.expired)}</td></tr>
          <tr><th scope="row">${t('brand.pointsOutstanding')}</th><td class="num">${n(e.outstanding)}</td></tr>
          <tr><th scope="row">${t('brand.redeemersReturned')}</th><td class="num">${ret(e.retention.redeemers)}</td></tr>
          <tr><th scope="row">${t('brand.holdersReturned')}</th><td class="num">${ret(e.retention.holders)}</td></tr>
        </tbody>
      </table>
    </section>`;
  }

  private renderBoard() {
    const t = this.t.bind(this);
    const b = this.board;
    return html`<section class="card" aria-labelledby="board-h">
      <h3 id="board-h">${t('brand.leaderboard')}</h3>
      <div class="filters">
        <label>${t('dash.segment')}
          <select @change=${(e: Event) => ((this.segment = (e.target as HTMLSelectElement).value), void this.loadBoard())}>
            ${SEGMENT_FILTERS.map((s) => html`<option value=${s} ?selected=${s === this.segment}>${s || t('brand.allSegments')}</option>`)}
          </select>
        </label>
      </div>
      ${!b || b.viewers.length === 0
        ? html`<p class="muted">${t('dash.none')}</p>`
        : html`<table>
            <thead><tr><th>${t('dash.viewer')}</th><th class="num">${t('dash.score')}</th><th>${t('dash.segment')}</th><th class="num">${t('brand.ltvShort')}</th></tr></thead>
            <tbody>
              ${b.viewers.map(
                (v) => html`<tr><td>${v.viewerId}</td><td class="num">${this.i18n.num(Math.round(v.score))}</td><td><span class="badge">${v.segment}</span></td>
                  <td class="num">${this.fmt('money', (v as { lifetimeValue?: number }).lifetimeValue ?? null)}</td></tr>`,
              )}
            </tbody>
          </table>
          ${b.nextCursor ? html`<button class="secondary small" @click=${() => this.loadBoard(b.nextCursor!)}>${t('brand.more')}</button>` : nothing}`}
    </section>`;
  }
}

customElements.define('sr-brand-view', BrandView);
