import type { ChatMessage } from '@stickyroom/sdk/protocol';

/** Within this many pixels of a log's end, the reader is following the chat: new messages scroll into view. */
const FOLLOW_SLACK_PX = 32;
/** Messages kept at most, once the reader loaded earlier pages. */
const KEPT_MAX = 1000;

type Page = { messages: ChatMessage[]; more: boolean };

/**
 * A chat log's messages and its scroll, for the widget and the console alike. New messages scroll into view
 * only while the log is at its end; a page of earlier messages (chat:history) goes above the first one shown
 * without moving what the reader reads. Message ids count up from 1 in each stream, so a first message other
 * than 1 may have earlier ones, until a page says there are no more. Each message's element carries its id
 * (`data-id`), by which the reader's place is kept.
 */
export class ChatLog {
  messages: ChatMessage[] = [];
  loadingEarlier = false;
  private kept: number;
  private earlierDone = false;
  private follow = true;
  /** The message the reader had at the top of the log before a page went above it, and how far down it was. */
  private anchor: { id: string; offset: number } | undefined;
  /** Bumped by clear(): a page asked for before belongs to another stream's log. */
  private generation = 0;

  constructor(private readonly keep: number) {
    this.kept = keep;
  }

  /** A live message, at the end. */
  push(m: ChatMessage): void {
    this.messages = [...this.messages, m].slice(-this.kept);
  }

  /** A snapshot's messages (a join, a rejoin), at the end, without those already shown. */
  merge(messages: readonly ChatMessage[]): void {
    const known = new Set(this.messages.map((m) => m.id));
    this.messages = [...this.messages, ...messages.filter((m) => !known.has(m.id))].slice(-this.kept);
  }

  remove(id: string): void {
    this.messages = this.messages.filter((m) => m.id !== id);
  }

  /** Another stream: nothing of the last one stays. */
  clear(): void {
    this.messages = [];
    this.kept = this.keep;
    this.earlierDone = false;
    this.loadingEarlier = false;
    this.generation++;
  }

  get mayHaveEarlier(): boolean {
    const first = this.messages[0];
    return !this.earlierDone && first !== undefined && first.id !== '1';
  }

  /** One page before the first message shown, from `load`, put above it; a refusal is thrown to the caller. */
  async loadEarlier(log: HTMLElement | null, load: (beforeId: string) => Promise<Page>): Promise<void> {
    const first = this.messages[0];
    if (!first || this.loadingEarlier) return;
    const generation = this.generation;
    // The reader is at the top, asking for more: the log stops following now, not at the scroll event of
    // getting there, which may come after the render that shows the button busy (that render would have
    // pulled the log to its end and lost the reader's place).
    this.follow = false;
    this.loadingEarlier = true;
    try {
      const page = await load(first.id);
      if (generation !== this.generation) return;
      const known = new Set(this.messages.map((m) => m.id));
      const shown = log && messageElement(log, first.id);
      if (log && shown) this.anchor = { id: first.id, offset: top(shown) - top(log) };
      this.messages = [...page.messages.filter((m) => !known.has(m.id)), ...this.messages];
      this.kept = Math.min(KEPT_MAX, Math.max(this.kept, this.messages.length));
      this.messages = this.messages.slice(-this.kept);
      this.earlierDone = !page.more;
    } finally {
      if (generation === this.generation) this.loadingEarlier = false;
    }
  }

  /** The reader's own message: back to the newest. */
  followNewest(): void {
    this.follow = true;
  }

  /** The log's scroll event: following while at the end. */
  onScroll(log: HTMLElement): void {
    this.follow = log.scrollHeight - log.scrollTop - log.clientHeight <= FOLLOW_SLACK_PX;
  }

  /** After a render: a prepended page keeps the reader in place; else the log follows the newest if it did. */
  place(log: HTMLElement | null): void {
    if (!log) return;
    const anchor = this.anchor;
    this.anchor = undefined;
    const kept = anchor ? messageElement(log, anchor.id) : null;
    if (anchor && kept) log.scrollTop += top(kept) - top(log) - anchor.offset;
    else if (this.follow) log.scrollTop = log.scrollHeight;
  }
}

const top = (el: Element): number => el.getBoundingClientRect().top;

function messageElement(log: HTMLElement, id: string): Element | null {
  return log.querySelector(`[data-id="${CSS.escape(id)}"]`);
}
