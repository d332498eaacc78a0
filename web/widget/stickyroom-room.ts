import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { SURVEY_DEFAULT_QUESTION, createViewerClient, verifyDraw, type ViewerClient } from '@stickyroom/sdk';
import type {
  DropPublic,
  JoinData,
  LotteryDrawn,
  LotteryPublic,
  PinnedMessage,
  PinnedProduct,
  PointsBalance,
  PollFinal,
  PollPublic,
  PollResults,
  QuizPublic,
  QuizResult,
  Redemption,
  Reward,
  SurveyRequest,
} from '@stickyroom/sdk/protocol';
import { I18n, pickLang, type MessageKey } from '../shared/i18n/index.js';
import { refusalText } from '../shared/errors.js';
import { claimsOf } from '../shared/token.js';
import { Ticker, secondsLeft } from '../shared/ticker.js';
import { controls, tokens } from '../shared/theme.js';
import { widgetStyles } from './styles.js';
import { ChatLog } from '../shared/chat-log.js';

/** Live messages kept in view (earlier pages the viewer loads are kept too). */
const CHAT_KEPT = 100;
const DROPS_SHOWN = 3;

type Verify = 'pending' | 'ok' | 'bad';
/** A reward this viewer redeemed here: what they got, to show. */
interface Redeemed extends Redemption {
  kind: Reward['kind'];
  copied?: boolean;
}

const SCORES = Array.from({ length: 11 }, (_, i) => i);
/** Refusals with words of their own in a section; any other code reads as the shared refusal text. */
const POLL_REFUSALS = ['closed', 'already_done'];
const SURVEY_REFUSALS = ['closed', 'already_done', 'not_found', 'not_eligible'];
const REWARD_REFUSALS = ['insufficient_points', 'sold_out', 'not_eligible', 'already_done', 'closed', 'not_found'];

interface DropView extends DropPublic {
  ended?: 'sold_out' | 'expired' | 'ended';
  code?: string;
  error?: string;
  copied?: boolean;
}

/** Where the widget's script came from: the stickyroom server, unless the page says otherwise. */
const scriptOrigin = (() => {
  try {
    return new URL(import.meta.url).origin;
  } catch {
    return '';
  }
})();

/**
 * `<stickyroom-room stream="..." token="..." lang="zh-CN" server="https://live.example.com">`: a live room
 * beside a shop's player. It lives in its own shadow root and touches none of the page's globals; the shop
 * styles it with `--stickyroom-*` custom properties and `::part()`, and listens to its `stickyroom:*` events.
 */
export class StickyroomRoom extends LitElement {
  static override styles = [tokens, controls, widgetStyles];
  static override properties = {
    stream: { type: String },
    token: { type: String },
    lang: { type: String },
    server: { type: String },
    url: { type: String },
    ref: { type: String },
    view: { state: true },
  };

  declare stream: string;
  declare token: string;
  declare lang: string;
  declare server: string;
  declare url: string;
  /** A share link's referral code; by default the page address's `?ref=` (docs/protocol.md, Referrals). */
  declare ref: string;
  /** Bumped to re-render after the mutable room state below changes. */
  declare view: number;

  private client: ViewerClient | undefined;
  private i18n = new I18n(pickLang());
  private readonly ticker = new Ticker(this);
  private conn: 'connecting' | 'connected' | 'reconnecting' | 'disconnected' = 'disconnected';
  private room: JoinData['stream'] | undefined;
  private viewers = 0;
  /** The chat: it follows new messages only while scrolled to its end, and keeps the reader's place otherwise. */
  private readonly chatLog = new ChatLog(CHAT_KEPT);
  private pinned: PinnedMessage | null = null;
  private product: PinnedProduct | null = null;
  private quiz: QuizPublic | null = null;
  private myAnswer: number | null = null;
  private quizResult: QuizResult | null = null;
  private lottery: LotteryPublic | null = null;
  private startCommitment = new Map<string, string>();
  private drawn: LotteryDrawn | null = null;
  private verify: Verify | null = null;
  private drops: DropView[] = [];
  private likes = 0;
  private points: PointsBalance | null = null;
  /** The viewer's share link once asked for, and whether it went to the clipboard. */
  private share: { url: string; copied: boolean } | null = null;
  private poll: PollPublic | null = null;
  private pollResults: PollResults | null = null;
  private pollFinal: PollFinal | null = null;
  /** The option this viewer voted for in the shown poll (-1: voted, option unknown, e.g. from another tab). */
  private myVote: number | null = null;
  private pollEarned = 0;
  private pollError = '';
  private survey: SurveyRequest | null = null;
  private surveyScore: number | null = null;
  private surveyDone = false;
  private surveyError = '';
  private rewardsOpen = false;
  private rewards: Reward[] | null = null;
  private rewardsError = '';
  private redeemed = new Map<string, Redeemed>();
  private redeemErrors = new Map<string, string>();
  private redeeming = new Set<string>();
  private slowModeSec = 0;
  private chatError = '';
  private lotteryError = '';
  private quizError = '';
  private notice: { text: string; kind: 'error' | 'ok' } | null = null;
  private banned = false;
  private fatal = '';
  private chatText = '';
  private unsubscribe: (() => void)[] = [];

  constructor() {
    super();
    this.stream = '';
    this.token = '';
    this.lang = '';
    this.server = '';
    this.url = '';
    this.view = 0;
    void this.ticker;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.stream && this.token) void this.open();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.close();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('lang')) this.i18n = new I18n(pickLang(this.lang));
  }

  protected override updated(changed: PropertyValues<this>): void {
    const reconnect = ['stream', 'token', 'server', 'url'].some((k) => changed.has(k as keyof StickyroomRoom) && changed.get(k as keyof StickyroomRoom) !== undefined);
    if (reconnect && this.isConnected && this.stream && this.token) {
      this.close();
      void this.open();
    }
    if (changed.has('view')) this.chatLog.place(this.chatElement());
    // bar widths through the CSSOM: the pages' CSP refuses inline style attributes
    this.renderRoot.querySelectorAll<HTMLElement>('.bar[data-share]').forEach((el) => {
      el.style.width = `${el.dataset.share}%`;
    });
  }

  private get me(): string | undefined {
    return claimsOf(this.token).sub;
  }

  private get origin(): string {
    return this.server || this.url || scriptOrigin;
  }

  private refresh(): void {
    this.view++;
  }

  private emit(name: string, detail: unknown, cancelable = false): boolean {
    return this.dispatchEvent(new CustomEvent(`stickyroom:${name}`, { detail, bubbles: true, composed: true, cancelable }));
  }

  /** The `ref` attribute, else `?ref=` of the page; only a well-formed code (a bad one would fail the join). */
  private referralCode(): string | undefined {
    let code = this.ref;
    if (!code) {
      try {
        code = new URL(globalThis.location?.href ?? '').searchParams.get('ref') ?? '';
      } catch {
        code = '';
      }
    }
    return /^[A-Za-z0-9_-]{8,64}$/.test(code) ? code : undefined;
  }

  private async open(): Promise<void> {
    const client = createViewerClient({ url: this.origin, token: this.token });
    this.client = client;
    this.conn = 'connecting';
    this.fatal = '';
    this.refresh();
    this.listen(client);
    try {
      await client.connect();
      const ref = this.referralCode();
      const data = await client.join(this.stream, ref ? { ref } : {});
      if (this.client !== client) return;
      this.applySnapshot(data);
      this.emit('joined', { streamId: this.stream, stream: data.stream });
      void this.loadPoints();
    } catch (err) {
      if (this.client !== client) return;
      if ((err as { code?: string }).code === 'banned') this.banned = true;
      this.fatal = refusalText(this.i18n, err);
      this.emit('error', { code: (err as { code?: string }).code, message: this.fatal });
      this.refresh();
    }
  }

  private close(): void {
    for (const off of this.unsubscribe) off();
    this.unsubscribe = [];
    this.client?.close();
    this.client = undefined;
  }

  private listen(c: ViewerClient): void {
    const mine = (p: { streamId: string }) => p.streamId === this.stream;
    const on = this.unsubscribe;
    on.push(
      c.on('state', (s) => {
        this.conn = s.state === 'connected' ? 'connected' : s.state === 'connecting' && s.previous === 'connected' ? 'reconnecting' : s.state === 'connecting' ? 'connecting' : 'disconnected';
        this.refresh();
      }),
      c.on('rejoined', (data) => data.stream.id === this.stream && this.applySnapshot(data)),
      c.on('rejoinFailed', (e) => {
        if (e.streamId !== this.stream) return;
        if (e.error.code === 'banned') this.banned = true;
        this.fatal = refusalText(this.i18n, e.error);
        this.refresh();
      }),
      c.on('stream:state', (e) => {
        if (e.stream.id !== this.stream) return;
        this.room = e.stream;
        this.refresh();
      }),
      c.on('room:stats', (s) => {
        if (!mine(s)) return;
        this.viewers = s.viewers;
        this.refresh();
      }),
      c.on('chat:message', (m) => {
        if (!mine(m)) return;
        this.chatLog.push(m);
        this.refresh();
      }),
      c.on('chat:deleted', (e) => {
        if (!mine(e)) return;
        this.chatLog.remove(e.messageId);
        this.refresh();
      }),
      c.on('chat:pinned', (e) => {
        if (!mine(e)) return;
        this.pinned = e.pinned;
        this.refresh();
      }),
      c.on('chat:mode', (e) => {
        if (!mine(e)) return;
        this.slowModeSec = e.slowModeSec;
        this.refresh();
      }),
      c.on('reaction:totals', (e) => {
        if (!mine(e)) return;
        this.likes = e.totals.like ?? 0;
        this.refresh();
      }),
      c.on('product:pinned', (e) => {
        if (!mine(e)) return;
        this.product = e.product;
        this.refresh();
      }),
      c.on('quiz:started', (q) => {
        if (!mine(q)) return;
        this.quiz = q;
        this.myAnswer = null;
        this.quizResult = null;
        this.quizError = '';
        this.refresh();
      }),
      c.on('quiz:result', (r) => {
        if (!mine(r)) return;
        this.quizResult = r;
        this.quiz = null;
        this.refresh();
      }),
      c.on('poll:started', (p) => {
        if (!mine(p)) return;
        this.setPoll(p, null);
        this.refresh();
      }),
      c.on('poll:results', (r) => {
        if (!mine(r) || r.pollId !== this.poll?.id) return;
        // pushes from several nodes may cross: the number of votes only grows
        if (!this.pollResults || r.votes >= this.pollResults.votes) this.pollResults = r;
        this.refresh();
      }),
      c.on('poll:closed', (f) => {
        if (!mine(f)) return;
        if (this.poll && this.poll.id !== f.pollId) return;
        this.pollFinal = f;
        this.poll = null;
        this.pollResults = f;
        this.refresh();
      }),
      c.on('survey:request', (r) => {
        if (!mine(r) || this.surveyDone) return;
        this.survey = { streamId: r.streamId, question: r.question, closesAt: r.closesAt };
        this.surveyError = '';
        this.emit('survey', { streamId: r.streamId });
        this.refresh();
      }),
      c.on('lottery:started', (l) => {
        if (!mine(l)) return;
        this.setLottery(l);
        this.refresh();
      }),
      c.on('lottery:entered', (e) => {
        if (!mine(e) || this.lottery?.id !== e.lotteryId) return;
        this.lottery = { ...this.lottery, entered: true };
        this.refresh();
      }),
      c.on('lottery:drawn', (d) => {
        if (!mine(d)) return;
        if (this.lottery?.id === d.lotteryId) this.lottery = { ...this.lottery, status: 'drawn', result: d, entrants: d.entrants };
        this.onDrawn(d);
      }),
      c.on('coupon:dropped', (d) => {
        if (!mine(d)) return;
        this.drops = [d, ...this.drops.filter((x) => x.id !== d.id)].slice(0, DROPS_SHOWN);
        this.refresh();
      }),
      c.on('coupon:stock', (e) => this.patchDrop(e.dropId, { remaining: e.remaining })),
      c.on('coupon:ended', (e) => this.patchDrop(e.dropId, { ended: e.reason, ...(e.reason === 'sold_out' ? { remaining: 0 } : {}) })),
      c.on('reward:granted', (r) => {
        if (!mine(r)) return;
        const text = r.prize
          ? this.i18n.t('reward.prize', { prize: r.prize })
          : r.coupon
            ? this.i18n.t('reward.coupon', { title: r.coupon.title, code: r.coupon.code })
            : this.i18n.t('reward.points', { count: r.points ?? 0 });
        this.notice = { text, kind: 'ok' };
        this.emit('reward', r);
        void this.loadPoints();
        this.refresh();
      }),
      c.on('moderation:notice', (n) => {
        if (!mine(n)) return;
        if (n.action === 'ban') this.banned = true;
        if (n.action === 'unban') {
          this.banned = false;
          this.fatal = '';
          this.close();
          void this.open();
        }
        const text =
          n.action === 'ban'
            ? this.i18n.t('mod.banned')
            : n.action === 'unban'
              ? this.i18n.t('mod.unbanned')
              : n.action === 'mute'
                ? this.i18n.t('mod.muted', { time: this.i18n.time(n.until ?? Date.now()) })
                : this.i18n.t('mod.deleted');
        this.notice = { text, kind: n.action === 'unban' ? 'ok' : 'error' };
        this.emit('moderation', n);
        this.refresh();
      }),
      c.on('session:ended', (e) => {
        if (e.reason === 'banned') this.banned = true;
        this.fatal = e.reason === 'banned' ? this.i18n.t('mod.banned') : this.i18n.t('session.ended');
        this.refresh();
      }),
    );
  }

  private applySnapshot(d: JoinData): void {
    // another stream (the page changed the attribute): none of the last one's chat stays
    if (this.room && this.room.id !== d.stream.id) this.chatLog.clear();
    this.room = d.stream;
    this.viewers = d.viewers;
    this.chatLog.merge(d.chat);
    this.pinned = d.pinned?.message ?? null;
    this.product = d.pinned?.product ?? null;
    if (d.quiz && d.quiz.id !== this.quiz?.id) {
      this.myAnswer = null;
      this.quizResult = null;
    }
    this.quiz = d.quiz ?? null;
    if (d.lottery) this.setLottery(d.lottery);
    if (d.poll) this.setPoll(d.poll, d.poll.results);
    else if (this.poll) this.poll = null;
    if (d.stream.status === 'ended') void this.loadSurvey();
    const held = new Map(this.drops.map((x) => [x.id, x]));
    this.drops = d.drops.map((x) => ({ ...held.get(x.id), ...x })).slice(0, DROPS_SHOWN);
    this.likes = d.reactions?.like ?? this.likes;
    this.fatal = '';
    this.refresh();
  }

  private setPoll(p: PollPublic, results: PollResults | null): void {
    if (this.poll?.id !== p.id) {
      this.myVote = null;
      this.pollEarned = 0;
      this.pollError = '';
      this.pollFinal = null;
      this.pollResults = null;
    }
    const { results: _r, ...poll } = p as PollPublic & { results?: PollResults };
    this.poll = poll;
    if (results && (!this.pollResults || results.votes >= this.pollResults.votes)) this.pollResults = results;
  }

  private setLottery(l: LotteryPublic): void {
    if (!this.startCommitment.has(l.id)) this.startCommitment.set(l.id, l.commitment);
    if (this.lottery?.id !== l.id) {
      this.drawn = null;
      this.verify = null;
      this.lotteryError = '';
    }
    this.lottery = l;
    if (l.result && this.drawn?.lotteryId !== l.id) this.onDrawn(l.result);
  }

  private onDrawn(d: LotteryDrawn): void {
    this.drawn = d;
    this.verify = 'pending';
    this.refresh();
    void this.verifyDrawn(d).then((ok) => {
      if (this.drawn !== d) return;
      this.verify = ok ? 'ok' : 'bad';
      this.emit('lottery-verified', { lotteryId: d.lotteryId, valid: ok });
      this.refresh();
    });
  }

  /** Recomputes the winners here, in the browser, from the published record (the SDK's `verifyDraw`). */
  private async verifyDrawn(d: LotteryDrawn): Promise<boolean> {
    try {
      const res = await fetch(`${this.origin}/api/lotteries/${encodeURIComponent(d.lotteryId)}/entrants`, {
        headers: { authorization: `Bearer ${this.token}` },
      });
      if (!res.ok) return false;
      const record = (await res.json()) as { entries: { id: string; nonce?: string }[] };
      const check = await verifyDraw({
        commitment: this.startCommitment.get(d.lotteryId) ?? d.commitment,
        seed: d.seed,
        winnerCount: this.lottery?.id === d.lotteryId ? this.lottery.winners : d.winnerCount,
        winners: d.winners,
        entrantsHash: d.entrantsHash,
        entries: record.entries,
      });
      return check.valid;
    } catch {
      return false;
    }
  }

  private patchDrop(dropId: string, patch: Partial<DropView>): void {
    const i = this.drops.findIndex((d) => d.id === dropId);
    if (i < 0) return;
    this.drops = this.drops.map((d) => (d.id === dropId ? { ...d, ...patch } : d));
    this.refresh();
  }

  private async loadPoints(): Promise<void> {
    const brandId = this.room?.brandId;
    if (!brandId || !this.client) return;
    try {
      this.points = await this.client.points(brandId);
      this.refresh();
    } catch {
      // points are a nicety: the room works without them
    }
  }

  /** A survey that awaits this viewer (the stream ended while they were away, or they came back). */
  private async loadSurvey(): Promise<void> {
    if (!this.client || this.surveyDone) return;
    try {
      const { survey } = await this.client.survey(this.stream);
      if (survey && !this.surveyDone) {
        this.survey = survey;
        this.refresh();
      }
    } catch {
      // no survey to show: nothing to say
    }
  }

  private async loadRewards(): Promise<void> {
    const brandId = this.room?.brandId;
    if (!brandId || !this.client) return;
    try {
      const [{ rewards }] = await Promise.all([this.client.rewards(brandId), this.loadPoints()]);
      this.rewards = rewards;
      this.rewardsError = '';
    } catch (err) {
      this.rewardsError = refusalText(this.i18n, err);
    }
    this.refresh();
  }

  /** A refusal in the words of the section it happened in, if it has its own; else the shared text. */
  private refusal(section: 'poll' | 'survey' | 'rewards', codes: string[], err: unknown): string {
    const code = (err as { code?: string }).code ?? '';
    return codes.includes(code) ? this.i18n.t(`${section}.error.${code}` as MessageKey) : refusalText(this.i18n, err);
  }

  private chatElement(): HTMLElement | null {
    return this.renderRoot.querySelector<HTMLElement>('.messages');
  }

  /** One page of the messages before the first one shown (chat:history), put above them. */
  private async loadEarlier(): Promise<void> {
    const c = this.client;
    if (!c) return;
    const loading = this.chatLog.loadEarlier(this.chatElement(), (beforeId) => c.chatHistory(this.stream, { beforeId }));
    this.refresh();
    try {
      await loading;
      this.chatError = '';
    } catch (err) {
      this.chatError = refusalText(this.i18n, err);
    }
    this.refresh();
  }

  // --- actions -------------------------------------------------------------------------------------

  private async sendChat(e: Event): Promise<void> {
    e.preventDefault();
    const text = this.chatText.trim();
    if (!text || !this.client) return;
    try {
      await this.client.chat(this.stream, text);
      this.chatLog.followNewest(); // one's own message brings the log back to the newest
      this.chatText = '';
      this.chatError = '';
      const input = this.renderRoot.querySelector<HTMLInputElement>('input[name="chat"]');
      if (input) input.value = '';
    } catch (err) {
      this.chatError = refusalText(this.i18n, err);
      if ((err as { code?: string }).code === 'banned') this.banned = true;
    }
    this.refresh();
  }

  private async like(): Promise<void> {
    try {
      await this.client?.react(this.stream, 'like');
      this.likes++;
    } catch (err) {
      this.chatError = refusalText(this.i18n, err);
    }
    this.refresh();
  }

  private async answer(option: number): Promise<void> {
    const quiz = this.quiz;
    if (!quiz || !this.client) return;
    try {
      await this.client.answerQuiz(quiz.id, option);
      this.myAnswer = option;
      this.quizError = '';
      this.emit('quiz-answered', { quizId: quiz.id, option });
    } catch (err) {
      if ((err as { code?: string }).code === 'already_done') this.myAnswer = option;
      this.quizError = refusalText(this.i18n, err);
    }
    this.refresh();
  }

  private async vote(option: number): Promise<void> {
    const poll = this.poll;
    if (!poll || !this.client || this.myVote !== null) return;
    try {
      const { points } = await this.client.vote(poll.id, option);
      if (this.poll?.id !== poll.id) return;
      this.myVote = option;
      this.pollEarned = points ?? 0;
      this.pollError = '';
      this.emit('poll-voted', { pollId: poll.id, option });
      if (points) void this.loadPoints();
    } catch (err) {
      // voted already (another tab, or before a reload): the notice says so, no error needed
      if ((err as { code?: string }).code === 'already_done') this.myVote = -1;
      this.pollError = this.myVote === -1 ? '' : this.refusal('poll', POLL_REFUSALS, err);
    }
    this.refresh();
  }

  private async answerSurvey(e: Event): Promise<void> {
    e.preventDefault();
    const survey = this.survey;
    if (!survey || !this.client) return;
    if (this.surveyScore === null) {
      this.surveyError = this.i18n.t('survey.pickScore');
      this.refresh();
      return;
    }
    const comment = new FormData(e.target as HTMLFormElement).get('comment');
    const text = typeof comment === 'string' ? comment.trim() : '';
    try {
      await this.client.answerSurvey(survey.streamId, this.surveyScore, text || undefined);
      this.surveyDone = true;
      this.surveyError = '';
      this.emit('survey-answered', { streamId: survey.streamId, score: this.surveyScore });
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'already_done' || code === 'closed' || code === 'not_found' || code === 'not_eligible') this.survey = null;
      this.surveyError = this.refusal('survey', SURVEY_REFUSALS, err);
    }
    this.refresh();
  }

  private toggleRewards(): void {
    this.rewardsOpen = !this.rewardsOpen;
    if (this.rewardsOpen) void this.loadRewards();
    this.refresh();
  }

  private async redeem(reward: Reward): Promise<void> {
    if (!this.client || this.redeeming.has(reward.id)) return;
    this.redeeming.add(reward.id);
    this.redeemErrors.delete(reward.id);
    this.refresh();
    try {
      const { redemption, balance } = await this.client.redeem(reward.id);
      this.redeemed.set(reward.id, { ...redemption, kind: reward.kind });
      this.points = balance;
      this.rewards = (this.rewards ?? []).map((r) => (r.id === reward.id ? { ...r, stock: Math.max(0, r.stock - 1), redeemed: r.redeemed + 1 } : r));
      this.emit('redeemed', { rewardId: reward.id, kind: reward.kind, ...(redemption.code ? { code: redemption.code } : {}) });
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'sold_out') this.rewards = (this.rewards ?? []).map((r) => (r.id === reward.id ? { ...r, stock: 0 } : r));
      this.redeemErrors.set(reward.id, this.refusal('rewards', REWARD_REFUSALS, err));
    } finally {
      this.redeeming.delete(reward.id);
    }
    this.refresh();
  }

  private async copyRedeemed(rewardId: string): Promise<void> {
    const r = this.redeemed.get(rewardId);
    if (!r?.code) return;
    try {
      await navigator.clipboard.writeText(r.code);
      this.redeemed.set(rewardId, { ...r, copied: true });
    } catch {
      const el = this.renderRoot.querySelector<HTMLElement>(`[data-code="${CSS.escape(rewardId)}"]`);
      if (el) getSelection()?.selectAllChildren(el);
    }
    this.refresh();
  }

  private async enter(): Promise<void> {
    const lottery = this.lottery;
    if (!lottery || !this.client) return;
    try {
      await this.client.enterLottery(lottery.id);
      if (this.lottery?.id === lottery.id) this.lottery = { ...this.lottery, entered: true };
      this.lotteryError = '';
      this.emit('lottery-entered', { lotteryId: lottery.id });
    } catch (err) {
      this.lotteryError = refusalText(this.i18n, err);
    }
    this.refresh();
  }

  private async claim(drop: DropView): Promise<void> {
    if (!this.client) return;
    try {
      const { code } = await this.client.claimCoupon(drop.id);
      this.patchDrop(drop.id, { code, error: '' });
      this.emit('claimed', { dropId: drop.id, code, title: drop.title });
    } catch (err) {
      const code = (err as { code?: string }).code;
      this.patchDrop(drop.id, { error: refusalText(this.i18n, err), ...(code === 'sold_out' ? { remaining: 0 } : {}) });
    }
  }

  private async copy(drop: DropView): Promise<void> {
    if (!drop.code) return;
    try {
      await navigator.clipboard.writeText(drop.code);
      this.patchDrop(drop.id, { copied: true });
    } catch {
      const el = this.renderRoot.querySelector<HTMLElement>(`[data-code="${CSS.escape(drop.id)}"]`);
      if (el) getSelection()?.selectAllChildren(el);
    }
  }

  /** Asks for the viewer's share link (docs/protocol.md, Referrals) and copies it; shown to copy by hand otherwise. */
  private async shareLink(): Promise<void> {
    const client = this.client;
    if (!client) return;
    try {
      const link = await client.referralLink(this.stream);
      this.share = { url: link.url, copied: false };
      this.emit('shared', link);
      try {
        await navigator.clipboard.writeText(link.url);
        this.share = { url: link.url, copied: true };
      } catch {
        // no clipboard (permissions, an insecure page): the link is shown to select
      }
    } catch (err) {
      this.notice = { kind: 'error', text: refusalText(this.i18n, err) };
    }
    this.refresh();
  }

  private clickProduct(e: Event, product: PinnedProduct): void {
    void this.client?.clickProduct(this.stream, product.id).catch(() => undefined);
    if (!this.emit('product-click', { product }, true)) e.preventDefault();
  }

  // --- rendering -----------------------------------------------------------------------------------

  override render() {
    const t = this.i18n.t.bind(this.i18n);
    const status = this.room?.status;
    return html`
      <section class="room" part="room" lang=${this.i18n.lang} aria-label=${this.room?.title ?? t('app.name')}>
        <header part="header">
          <div class="title">
            ${status ? html`<span class="badge ${status === 'live' ? 'live' : ''}">${t(`stream.${status}`)}</span>` : nothing}
            <strong>${this.room?.title ?? ''}</strong>
          </div>
          <div class="muted" aria-live="polite">${t('viewers.count', { count: this.viewers })}${this.conn === 'connected' ? '' : html` · ${t(`conn.${this.conn}`)}`}</div>
        </header>
        ${this.fatal ? html`<p class="notice error" role="alert" part="notice">${this.fatal}</p>` : nothing}
        ${this.notice && !this.fatal ? html`<p class="notice ${this.notice.kind}" role="status" part="notice">${this.notice.text}</p>` : nothing}
        ${this.renderPoints()} ${this.renderRewards()} ${this.renderSurvey()} ${this.renderProduct()} ${this.renderPoll()} ${this.renderQuiz()} ${this.renderLottery()} ${this.renderDrops()} ${this.renderChat()}
      </section>
    `;
  }

  private renderPoints() {
    const p = this.points;
    if (!p) return nothing;
    const t = this.i18n.t.bind(this.i18n);
    return html`<div class="points" part="points" aria-label=${t('points.label')}>
      <span>${t('points.balance', { count: p.balance })}</span>
      <span class="badge">${t('points.tier', { tier: p.tier })}</span>
      ${p.nextTier ? html`<span class="muted">${t('points.next', { count: Math.max(0, p.nextTier.at - p.balance), tier: p.nextTier.name })}</span>` : nothing}
      <button class="secondary small" part="share" @click=${() => this.shareLink()}>${this.share?.copied ? t('share.copied') : t('share.button')}</button>
      ${this.share && !this.share.copied ? html`<span class="muted" data-share>${this.share.url}</span>` : nothing}
      <button class="secondary small" part="rewards-toggle" aria-expanded=${this.rewardsOpen ? 'true' : 'false'} aria-controls="sr-rewards" @click=${() => this.toggleRewards()}>
        ${t('rewards.title')}
      </button>
    </div>`;
  }

  /** Why this viewer cannot redeem a reward now (null: they can try). The server decides in the end. */
  private blocker(r: Reward, p: PointsBalance | null): string | null {
    const t = this.i18n.t.bind(this.i18n);
    if (r.stock <= 0) return t('rewards.soldOut');
    // tiers known here: the viewer's and the next one up; the server checks any other
    if (r.minTier && p && r.minTier !== p.tier && r.minTier === p.nextTier?.name) return t('rewards.needTier', { tier: r.minTier });
    if (p && p.balance < r.cost) return t('rewards.needPoints', { count: r.cost - p.balance });
    return null;
  }

  private renderRewards() {
    if (!this.rewardsOpen) return nothing;
    const t = this.i18n.t.bind(this.i18n);
    const list = this.rewards;
    return html`<section class="card rewards" id="sr-rewards" part="rewards" aria-labelledby="sr-rewards-h">
      <h3 id="sr-rewards-h">${t('rewards.title')}</h3>
      ${this.points ? html`<p class="muted">${t('rewards.balance', { count: this.points.balance })}</p>` : nothing}
      ${this.rewardsError ? html`<p class="notice error" role="alert">${this.rewardsError}</p>` : nothing}
      ${list === null
        ? html`<p class="muted">${t('conn.connecting')}</p>`
        : list.length === 0
          ? html`<p class="muted">${t('rewards.empty')}</p>`
          : html`<ul class="reward-list">
              ${repeat(list, (r) => r.id, (r) => this.renderReward(r))}
            </ul>`}
    </section>`;
  }

  private renderReward(r: Reward) {
    const t = this.i18n.t.bind(this.i18n);
    const done = this.redeemed.get(r.id);
    const why = this.blocker(r, this.points);
    const error = this.redeemErrors.get(r.id);
    const whyId = `sr-why-${r.id}`;
    return html`<li class="reward">
      <div class="reward-head">
        <div class="grow">
          <strong>${r.title}</strong>
          <div class="muted">${t(`rewards.kind.${r.kind}`)} · ${t('points.balance', { count: r.cost })} · ${t('drop.left', { count: r.stock })}${r.minTier ? html` · ${t('rewards.minTier', { tier: r.minTier })}` : nothing}</div>
        </div>
        <button
          part="redeem"
          aria-label=${t('rewards.redeemLabel', { title: r.title })}
          aria-describedby=${why && !done && !error ? whyId : nothing}
          ?disabled=${why !== null || this.redeeming.has(r.id) || this.banned}
          @click=${() => this.redeem(r)}
        >${t('rewards.redeem')}</button>
      </div>
      ${why && !done && !error ? html`<p class="muted" id=${whyId}>${why}</p>` : nothing}
      ${done
        ? done.code
          ? html`<p class="notice ok" role="status">${t('drop.code')}: <code class="code" data-code=${r.id}>${done.code}</code>
              <button class="secondary small" @click=${() => this.copyRedeemed(r.id)}>${done.copied ? t('drop.copied') : t('drop.copy')}</button></p>`
          : html`<p class="notice ok" role="status">${done.kind === 'raffle' ? t('rewards.raffleTicket') : t('rewards.giftClaimed')}</p>`
        : nothing}
      ${error ? html`<p class="notice error" role="alert">${error}</p>` : nothing}
    </li>`;
  }

  private renderPoll() {
    const t = this.i18n.t.bind(this.i18n);
    const p = this.poll;
    const f = this.pollFinal;
    if (!p && !f) return nothing;
    const question = p?.question ?? f!.question;
    const options = p?.options ?? f!.options;
    const results = f ?? this.pollResults;
    const voted = this.myVote !== null;
    return html`<section class="card" part="poll" aria-labelledby="sr-poll-h">
      <h3 id="sr-poll-h">${t('poll.title')}: ${question}</h3>
      ${p
        ? html`<p class="muted">${p.endsAt ? html`${t('quiz.endsIn', { count: secondsLeft(p.endsAt) })} · ` : nothing}${t('poll.voters', { count: results?.votes ?? 0 })}${p.points
            ? html` · ${t('poll.rewardPoints', { count: p.points })}`
            : nothing}</p>`
        : html`<p role="status"><strong>${t('poll.final')}</strong> · ${t('poll.voters', { count: f!.votes })}</p>`}
      ${p && !voted
        ? html`<div class="options" role="group" aria-labelledby="sr-poll-h">
            ${options.map((o, i) => html`<button class="secondary" ?disabled=${this.banned} @click=${() => this.vote(i)}>${o}</button>`)}
          </div>`
        : this.renderPollBars(options, results)}
      ${p && voted
        ? html`<p class="notice ok" role="status">${this.myVote !== null && this.myVote >= 0 ? t('poll.voted', { option: options[this.myVote] ?? '' }) : t('poll.votedAlready')}${this.pollEarned
            ? html` ${t('poll.earned', { count: this.pollEarned })}`
            : nothing}</p>`
        : nothing}
      ${this.pollError && p ? html`<p class="notice error" role="alert">${this.pollError}</p>` : nothing}
    </section>`;
  }

  private renderPollBars(options: string[], r: PollResults | null) {
    const t = this.i18n.t.bind(this.i18n);
    const total = r?.votes ?? 0;
    return html`<ul class="bars" aria-live="polite">
      ${options.map((o, i) => {
        const n = r?.counts[i] ?? 0;
        const share = total > 0 ? (n / total) * 100 : 0;
        return html`<li class=${this.myVote === i ? 'mine' : ''}>
          <div class="bar-label"><span class="grow">${o}</span><span>${t('poll.share', { count: n, percent: Math.round(share) })}</span></div>
          <div class="track" aria-hidden="true"><div class="bar" data-share=${share.toFixed(1)}></div></div>
        </li>`;
      })}
    </ul>`;
  }

  private renderSurvey() {
    const t = this.i18n.t.bind(this.i18n);
    if (this.surveyDone) {
      return html`<section class="card" part="survey" aria-label=${t('survey.title')}>
        <p class="notice ok" role="status">${t('survey.thanks')}</p>
      </section>`;
    }
    const s = this.survey;
    if (!s) {
      return this.surveyError ? html`<p class="notice error" role="alert" part="notice">${this.surveyError}</p>` : nothing;
    }
    // the server's default question is English: show it in the reader's language
    const question = s.question === SURVEY_DEFAULT_QUESTION ? t('survey.defaultQuestion') : s.question;
    return html`<section class="card" part="survey" aria-labelledby="sr-survey-h">
      <h3 id="sr-survey-h">${t('survey.title')}</h3>
      <form class="survey" @submit=${(e: Event) => this.answerSurvey(e)}>
        <fieldset class="scale" role="radiogroup" aria-labelledby="sr-survey-q">
          <legend id="sr-survey-q">${question}</legend>
          <div class="scores">
            ${SCORES.map(
              (i) => html`<label class="score">
                <input type="radio" name="score" value=${i} .checked=${this.surveyScore === i} @change=${() => {
                  this.surveyScore = i;
                  this.surveyError = '';
                  this.refresh();
                }} /><span>${i}</span>${i === 0 ? html`<span class="sr-only"> (${t('survey.low')})</span>` : i === 10 ? html`<span class="sr-only"> (${t('survey.high')})</span>` : nothing}
              </label>`,
            )}
          </div>
          <div class="ends" aria-hidden="true"><span>${t('survey.low')}</span><span>${t('survey.high')}</span></div>
        </fieldset>
        <label>${t('survey.comment')}<textarea name="comment" maxlength="500" rows="2"></textarea></label>
        <div class="row">
          <button type="submit">${t('survey.submit')}</button>
          <span class="muted">${t('survey.until', { time: this.i18n.dateTime(s.closesAt) })}</span>
        </div>
        ${this.surveyError ? html`<p class="notice error" role="alert">${this.surveyError}</p>` : nothing}
      </form>
    </section>`;
  }

  private renderProduct() {
    const p = this.product;
    if (!p) return nothing;
    const t = this.i18n.t.bind(this.i18n);
    return html`<section class="card product" part="product" aria-label=${t('product.pinned')}>
      ${p.imageUrl ? html`<img src=${p.imageUrl} alt="" width="56" height="56" />` : nothing}
      <div class="grow">
        <div><strong>${p.title}</strong></div>
        <div>${this.i18n.money(p.price, p.currency)}</div>
      </div>
      ${p.url
        ? html`<a class="button" part="product-link" href=${p.url} target="_blank" rel="noopener noreferrer" @click=${(e: Event) => this.clickProduct(e, p)}>${t('product.view')}</a>`
        : html`<button @click=${(e: Event) => this.clickProduct(e, p)}>${t('product.view')}</button>`}
    </section>`;
  }

  private renderQuiz() {
    const t = this.i18n.t.bind(this.i18n);
    const q = this.quiz;
    const r = this.quizResult;
    if (q) {
      const left = secondsLeft(q.endsAt);
      return html`<section class="card" part="quiz" aria-label=${t('quiz.title')}>
        <h3>${t('quiz.title')}: ${q.question}</h3>
        <p class="muted" aria-live="off">${t('quiz.endsIn', { count: left })}${q.reward.points ? html` · ${t('quiz.rewardPoints', { count: q.reward.points })}` : nothing}</p>
        <div class="options" role="group" aria-label=${q.question}>
          ${q.options.map(
            (o, i) => html`<button class=${this.myAnswer === i ? '' : 'secondary'} aria-pressed=${this.myAnswer === i ? 'true' : 'false'} ?disabled=${this.myAnswer !== null} @click=${() => this.answer(i)}>${o}</button>`,
          )}
        </div>
        ${this.myAnswer !== null ? html`<p class="notice ok" role="status">${t('quiz.sent')}</p>` : nothing}
        ${this.quizError ? html`<p class="notice error" role="alert">${this.quizError}</p>` : nothing}
      </section>`;
    }
    if (r) {
      const right = this.myAnswer === null ? null : this.myAnswer === r.correctOption;
      return html`<section class="card" part="quiz" aria-label=${t('quiz.title')}>
        <h3>${t('quiz.title')}: ${r.question}</h3>
        <p role="status"><strong>${t('quiz.correct', { option: r.options[r.correctOption] ?? '' })}</strong>
          ${right === null ? nothing : html` — ${right ? t('quiz.youRight') : t('quiz.youWrong')}`}</p>
        <ul class="counts">
          ${r.options.map((o, i) => html`<li class=${i === r.correctOption ? 'correct' : ''}><span>${o}</span><span>${t('quiz.answers', { count: r.counts[i] ?? 0 })}</span></li>`)}
        </ul>
        <p class="muted">${t('quiz.answers', { count: r.answers })} · ${t('quiz.correctCount', { count: r.correct })}</p>
      </section>`;
    }
    return nothing;
  }

  private renderLottery() {
    const l = this.lottery;
    if (!l) return nothing;
    const t = this.i18n.t.bind(this.i18n);
    const d = this.drawn?.lotteryId === l.id ? this.drawn : null;
    const names = new Map(this.chatLog.messages.map((m) => [m.userId, m.name]));
    const me = this.me;
    return html`<section class="card" part="lottery" aria-label=${t('lottery.title')}>
      <h3>${t('lottery.title')}</h3>
      <p>${t('lottery.prize', { prize: l.prize })} · ${t('lottery.winnersCount', { count: l.winners })}</p>
      ${d
        ? html`
            <p><strong>${t('lottery.drawn')}</strong> · ${t('lottery.entrants', { count: d.entrants })}</p>
            ${d.winners.length === 0 ? html`<p class="muted">${t('lottery.noWinners')}</p>` : html`<ol class="winners">${d.winners.map((w) => html`<li>${names.get(w) ?? w}</li>`)}</ol>`}
            ${me && d.winners.includes(me) ? html`<p class="notice ok">${t('lottery.youWon', { prize: l.prize })}</p>` : nothing}
            <p class="notice ${this.verify === 'bad' ? 'error' : this.verify === 'ok' ? 'ok' : ''}" role="status">
              ${this.verify === 'ok' ? t('lottery.verified') : this.verify === 'bad' ? t('lottery.notVerified') : t('lottery.verifying')}
            </p>
          `
        : html`
            <p class="muted">${t('lottery.endsIn', { count: secondsLeft(l.endsAt) })} · ${t('lottery.entrants', { count: l.entrants })}</p>
            ${l.entered
              ? html`<p class="notice ok" role="status">${t('lottery.entered')}</p>`
              : l.keyword
                ? html`<p>${t('lottery.keyword', { keyword: l.keyword })}</p>`
                : html`<button part="lottery-enter" ?disabled=${l.status !== 'open' || this.banned} @click=${() => this.enter()}>${t('lottery.enter')}</button>`}
          `}
      ${this.lotteryError ? html`<p class="notice error" role="alert">${this.lotteryError}</p>` : nothing}
      <details>
        <summary>${t('lottery.details')}</summary>
        <p class="muted">${t('lottery.commitment')}</p>
        <code>${this.startCommitment.get(l.id) ?? l.commitment}</code>
        ${d ? html`<p class="muted">${t('lottery.seed')}</p><code>${d.seed}</code>` : nothing}
      </details>
    </section>`;
  }

  private renderDrops() {
    if (this.drops.length === 0) return nothing;
    const t = this.i18n.t.bind(this.i18n);
    return repeat(
      this.drops,
      (d) => d.id,
      (d) => {
        const off = d.discount.type === 'percent' ? t('drop.percent', { value: d.discount.value }) : t('drop.amount', { value: this.i18n.num(d.discount.value) });
        const over = d.ended ?? (d.remaining <= 0 ? 'sold_out' : secondsLeft(d.endsAt) === 0 ? 'expired' : undefined);
        return html`<section class="card drop" part="drop" aria-label=${t('drop.title')}>
          <h3>${d.title} · ${off}</h3>
          ${d.code
            ? html`<p>${t('drop.code')}: <code class="code" data-code=${d.id}>${d.code}</code>
                <button class="secondary small" @click=${() => this.copy(d)}>${d.copied ? t('drop.copied') : t('drop.copy')}</button></p>`
            : over
              ? html`<p class="muted">${over === 'sold_out' ? t('drop.soldOut') : t('drop.ended')}</p>`
              : html`<div class="row">
                  <button part="drop-claim" ?disabled=${this.banned} @click=${() => this.claim(d)}>${t('drop.claim')}</button>
                  <span class="muted">${t('drop.left', { count: d.remaining })} · ${t('time.left', { time: String(secondsLeft(d.endsAt)) + ' s' })}</span>
                </div>`}
          ${d.error ? html`<p class="notice error" role="alert">${d.error}</p>` : nothing}
        </section>`;
      },
    );
  }

  private renderChat() {
    const t = this.i18n.t.bind(this.i18n);
    return html`<section class="card chat" part="chat" aria-label=${t('chat.title')}>
      ${this.pinned
        ? html`<p class="pinned" part="pinned"><span class="badge">${t('chat.pinned')}</span> <strong>${this.pinned.message.name}</strong> ${this.pinned.message.text}</p>`
        : nothing}
      <div class="messages" role="log" aria-live="polite" aria-label=${t('chat.title')} tabindex="0" @scroll=${(e: Event) => this.chatLog.onScroll(e.currentTarget as HTMLElement)}>
        ${this.chatLog.mayHaveEarlier
          ? html`<button type="button" class="secondary earlier" part="earlier" ?disabled=${this.chatLog.loadingEarlier} @click=${() => this.loadEarlier()}>
              ${t(this.chatLog.loadingEarlier ? 'chat.earlier.loading' : 'chat.earlier')}
            </button>`
          : nothing}
        <ol>
        ${this.chatLog.messages.length === 0 ? html`<li class="muted">${t('chat.empty')}</li>` : nothing}
        ${repeat(
          this.chatLog.messages,
          (m) => m.id,
          (m) => html`<li data-id=${m.id}>
            <span class="name">${m.name}</span>${m.role && m.role !== 'viewer' ? html` <span class="badge">${t(`chat.role.${m.role}`)}</span>` : nothing}
            <span class="text">${m.text}</span>
          </li>`,
        )}
      </ol></div>
      ${this.slowModeSec > 0 ? html`<p class="muted">${t('chat.slow', { count: this.slowModeSec })}</p>` : nothing}
      ${this.chatError ? html`<p class="notice error" role="alert">${this.chatError}</p>` : nothing}
      <form class="composer" part="composer" @submit=${(e: Event) => this.sendChat(e)}>
        <input
          name="chat"
          aria-label=${t('chat.label')}
          placeholder=${t('chat.placeholder')}
          maxlength="500"
          autocomplete="off"
          ?disabled=${this.banned}
          @input=${(e: Event) => (this.chatText = (e.target as HTMLInputElement).value)}
        />
        <button type="submit" ?disabled=${this.banned}>${t('chat.send')}</button>
        <button type="button" class="secondary" part="like" ?disabled=${this.banned || this.room?.status !== 'live'} @click=${() => this.like()}>
          <span aria-hidden="true">♥</span> <span class="sr-only">${t('react.like')}</span> ${this.i18n.num(this.likes)}
        </button>
      </form>
    </section>`;
  }
}
