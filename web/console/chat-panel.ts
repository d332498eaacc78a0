import { html, nothing } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { StreamerClient } from '@stickyroom/sdk';
import type { ChatMessage, JoinData, PinnedMessage } from '@stickyroom/sdk/protocol';
import { Panel, fields } from './panel.js';

/** Live messages kept in the feed; pages of earlier ones the moderator loads are kept too, up to KEPT_MAX. */
const KEPT = 200;
const KEPT_MAX = 1000;
/** Within this many pixels of the feed's end, it follows new messages; further up, it stays where it is read. */
const FOLLOW_SLACK_PX = 32;
const MUTE_SEC = 300;

/** The chat feed with delete / mute / ban / pin on every message, a line to the room, and the settings. */
export class ChatPanel extends Panel {
  private messages: ChatMessage[] = [];
  private pinned: PinnedMessage | null = null;
  private slowModeSec = 0;
  private kept = KEPT;
  /** The server said no message is older than the first one shown; a page of earlier ones is on its way. */
  private earlierDone = false;
  private loadingEarlier = false;
  /** Whether the feed follows new messages, and where to keep it after earlier ones were put above. */
  private follow = true;
  private anchor: { top: number; height: number } | undefined;

  protected subscribe(c: StreamerClient) {
    return [
      c.on('chat:message', (m) => {
        if (!this.mine(m)) return;
        this.messages = [...this.messages, m].slice(-this.kept);
        this.requestUpdate();
      }),
      c.on('chat:deleted', (e) => {
        if (!this.mine(e)) return;
        this.messages = this.messages.filter((m) => m.id !== e.messageId);
        this.requestUpdate();
      }),
      c.on('chat:pinned', (e) => {
        if (!this.mine(e)) return;
        this.pinned = e.pinned;
        this.requestUpdate();
      }),
      c.on('chat:mode', (e) => {
        if (!this.mine(e)) return;
        this.slowModeSec = e.slowModeSec;
        this.requestUpdate();
      }),
    ];
  }

  protected override applySnapshot(d: JoinData): void {
    const known = new Set(this.messages.map((m) => m.id));
    this.messages = [...this.messages, ...d.chat.filter((m) => !known.has(m.id))].slice(-this.kept);
    this.pinned = d.pinned?.message ?? null;
  }

  /**
   * After a render: earlier messages put above keep what the moderator reads in place, and so does an action
   * on a message up the feed (a ban, a pin); only a feed scrolled to its end follows new messages.
   */
  protected override updated(): void {
    const log = this.feed();
    if (!log) return;
    const anchor = this.anchor;
    this.anchor = undefined;
    if (anchor) log.scrollTop = anchor.top + (log.scrollHeight - anchor.height);
    else if (this.follow) log.scrollTop = log.scrollHeight;
  }

  private feed(): HTMLElement | null {
    return this.renderRoot.querySelector<HTMLElement>('.feed');
  }

  private onScroll(log: HTMLElement): void {
    this.follow = log.scrollHeight - log.scrollTop - log.clientHeight <= FOLLOW_SLACK_PX;
  }

  /** Message ids count up from 1 in each stream: a first message other than 1 may have earlier ones. */
  private mayHaveEarlier(): boolean {
    const first = this.messages[0];
    return !this.earlierDone && first !== undefined && first.id !== '1';
  }

  /** One page of the hot history before the first message shown (chat:history), put above it. */
  private async loadEarlier(): Promise<void> {
    const first = this.messages[0];
    if (!first || this.loadingEarlier) return;
    this.loadingEarlier = true;
    this.requestUpdate();
    const page = await this.act(() => this.client.chatHistory(this.streamId, { beforeId: first.id }));
    this.loadingEarlier = false;
    if (page) {
      const known = new Set(this.messages.map((m) => m.id));
      const log = this.feed();
      if (log) this.anchor = { top: log.scrollTop, height: log.scrollHeight };
      this.messages = [...page.messages.filter((m) => !known.has(m.id)), ...this.messages];
      this.kept = Math.min(KEPT_MAX, Math.max(this.kept, this.messages.length));
      this.messages = this.messages.slice(-this.kept);
      this.earlierDone = !page.more;
    }
    this.requestUpdate();
  }

  private async say(e: Event) {
    const { text } = fields(e);
    if (!text) return;
    const form = e.target as HTMLFormElement;
    if (await this.act(() => this.client.chat(this.streamId, text))) {
      form.reset();
      this.follow = true; // one's own line brings the feed back to the newest
    }
  }

  private async mute(m: ChatMessage) {
    const r = await this.act(() => this.client.mute(this.streamId, m.userId, MUTE_SEC));
    if (r) this.status = this.t('console.muted', { name: m.name, time: this.i18n.time(r.until) });
  }

  private async ban(m: ChatMessage) {
    await this.act(() => this.client.ban(this.streamId, m.userId), this.t('console.banned', { name: m.name }));
  }

  private async saveSettings(e: Event) {
    const f = fields(e);
    const blockedWords = (f.blockedWords ?? '').split('\n').map((w) => w.trim()).filter(Boolean);
    const slowModeSec = Number(f.slowModeSec ?? 0);
    await this.act(() => this.client.chatSettings(this.streamId, { slowModeSec, blockedWords }), this.t('console.saved'));
  }

  override render() {
    const t = this.t.bind(this);
    return html`<section class="card" aria-labelledby="chat-h">
      <h2 id="chat-h">${t('console.chat')}</h2>
      ${this.pinned
        ? html`<p class="row"><span class="badge">${t('chat.pinned')}</span><strong>${this.pinned.message.name}</strong> ${this.pinned.message.text}
            <button class="secondary small" @click=${() => this.act(() => this.client.pinMessage(this.streamId, null))}>${t('console.unpin')}</button></p>`
        : nothing}
      <div class="feed" role="log" aria-label=${t('console.chat')} tabindex="0" @scroll=${(e: Event) => this.onScroll(e.currentTarget as HTMLElement)}>
        ${this.mayHaveEarlier()
          ? html`<button type="button" class="secondary small earlier" ?disabled=${this.loadingEarlier} @click=${() => this.loadEarlier()}>
              ${t(this.loadingEarlier ? 'chat.earlier.loading' : 'chat.earlier')}
            </button>`
          : nothing}
        <ol>
        ${repeat(
          this.messages,
          (m) => m.id,
          (m) => html`<li class="msg">
            <div><strong>${m.name}</strong>${m.role && m.role !== 'viewer' ? html` <span class="badge">${t(`chat.role.${m.role}`)}</span>` : nothing}
              <span class="muted">${this.i18n.time(m.at)}</span></div>
            <div class="text">${m.text}</div>
            <div class="actions">
              <button class="secondary small" aria-label=${t('console.deleteLabel', { name: m.name })} @click=${() => this.act(() => this.client.deleteMessage(this.streamId, m.id))}>${t('console.delete')}</button>
              <button class="secondary small" aria-label=${t('console.pinLabel', { name: m.name })} @click=${() => this.act(() => this.client.pinMessage(this.streamId, m.id))}>${t('console.pin')}</button>
              ${m.role === 'viewer' || !m.role
                ? html`<button class="secondary small" aria-label=${t('console.muteLabel', { name: m.name })} @click=${() => this.mute(m)}>${t('console.mute')}</button>
                    <button class="danger small" aria-label=${t('console.banLabel', { name: m.name })} @click=${() => this.ban(m)}>${t('console.ban')}</button>`
                : nothing}
            </div>
          </li>`,
        )}
      </ol></div>
      ${this.renderFeedback()}
      <form class="say" @submit=${(e: Event) => this.say(e)}>
        <label>${t('console.sayAsHost')}<input name="text" maxlength="500" autocomplete="off" /></label>
        <button type="submit">${t('chat.send')}</button>
      </form>
      <details>
        <summary>${t('console.settings')}</summary>
        <form @submit=${(e: Event) => this.saveSettings(e)}>
          <label>${t('console.slowMode')}<input name="slowModeSec" type="number" min="0" max="3600" .value=${String(this.slowModeSec)} /></label>
          <label>${t('console.blockedWords')}<textarea name="blockedWords" rows="3"></textarea></label>
          <button type="submit">${t('console.save')}</button>
        </form>
      </details>
    </section>`;
  }
}
customElements.define('sr-chat-panel', ChatPanel);
