import { html, nothing } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { StreamerClient } from '@stickyroom/sdk';
import type { ChatMessage, JoinData, PinnedMessage } from '@stickyroom/sdk/protocol';
import { Panel, fields } from './panel.js';
import { ChatLog } from '../shared/chat-log.js';

/** Live messages kept in the feed (earlier pages the moderator loads are kept too). */
const KEPT = 200;
const MUTE_SEC = 300;

/** The chat feed with delete / mute / ban / pin on every message, a line to the room, and the settings. */
export class ChatPanel extends Panel {
  /** The feed: it follows new messages only while scrolled to its end, and keeps its place otherwise. */
  private readonly log = new ChatLog(KEPT);
  private pinned: PinnedMessage | null = null;
  private slowModeSec = 0;

  protected subscribe(c: StreamerClient) {
    return [
      c.on('chat:message', (m) => {
        if (!this.mine(m)) return;
        this.log.push(m);
        this.requestUpdate();
      }),
      c.on('chat:deleted', (e) => {
        if (!this.mine(e)) return;
        this.log.remove(e.messageId);
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
    this.log.merge(d.chat);
    this.pinned = d.pinned?.message ?? null;
  }

  /** After a render: an action on a message up the feed (a ban, a pin) or an earlier page leaves the feed where it is read. */
  protected override updated(): void {
    this.log.place(this.feed());
  }

  private feed(): HTMLElement | null {
    return this.renderRoot.querySelector<HTMLElement>('.feed');
  }

  private async loadEarlier(): Promise<void> {
    const loading = this.act(() => this.log.loadEarlier(this.feed(), (beforeId) => this.client.chatHistory(this.streamId, { beforeId })));
    this.requestUpdate();
    await loading;
    this.requestUpdate();
  }

  private async say(e: Event) {
    const { text } = fields(e);
    if (!text) return;
    const form = e.target as HTMLFormElement;
    if (await this.act(() => this.client.chat(this.streamId, text))) {
      form.reset();
      this.log.followNewest(); // one's own line brings the feed back to the newest
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
      <div class="feed" role="log" aria-label=${t('console.chat')} tabindex="0" @scroll=${(e: Event) => this.log.onScroll(e.currentTarget as HTMLElement)}>
        ${this.log.mayHaveEarlier
          ? html`<button type="button" class="secondary small earlier" ?disabled=${this.log.loadingEarlier} @click=${() => this.loadEarlier()}>
              ${t(this.log.loadingEarlier ? 'chat.earlier.loading' : 'chat.earlier')}
            </button>`
          : nothing}
        <ol>
        ${repeat(
          this.log.messages,
          (m) => m.id,
          (m) => html`<li class="msg" data-id=${m.id}>
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
