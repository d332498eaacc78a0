import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import type { StreamerClient } from '@stickyroom/sdk';
import type { JoinData } from '@stickyroom/sdk/protocol';
import { I18n } from '../shared/i18n/index.js';
import { refusalText } from '../shared/errors.js';
import { controls, tokens } from '../shared/theme.js';

/**
 * One box of the live screen. The screen hands every panel the same client, stream and latest `room:join`
 * snapshot (a new object after each reconnect); a panel subscribes to the pushes it shows and answers each
 * action with the server's refusal in words.
 */
export abstract class Panel extends LitElement {
  static override styles = [
    tokens,
    controls,
    css`
      :host { display: block; }
      form { display: flex; flex-direction: column; gap: 8px; }
      ul, ol { margin: 0; padding: 0; list-style: none; }
      p { margin: 0 0 6px; }
      .actions { display: flex; gap: 4px; flex-wrap: wrap; }
      .feed { height: 360px; overflow-y: auto; margin-bottom: 8px; }
      .feed .earlier { display: block; margin: 0 auto 6px; }
      .msg, .item { padding: 6px 0; border-bottom: 1px solid var(--_border); overflow-wrap: anywhere; }
      .grid2 { display: grid; grid-template-columns: 1fr 1fr; gap: 8px; }
      details { margin-top: 8px; }
      fieldset { border: 1px solid var(--_border); border-radius: 6px; display: flex; flex-wrap: wrap; gap: 4px 12px; margin: 6px 0; }
      label.check { display: inline-flex; flex-direction: row; gap: 4px; align-items: center; }
      summary { cursor: pointer; }
    `,
  ];
  static override properties = {
    client: { attribute: false },
    streamId: { attribute: false },
    snapshot: { attribute: false },
    i18n: { attribute: false },
    live: { attribute: false },
    error: { state: true },
    status: { state: true },
  };
  declare client: StreamerClient;
  declare streamId: string;
  declare snapshot: JoinData | undefined;
  declare i18n: I18n;
  declare live: boolean;
  declare error: string;
  declare status: string;
  private offs: (() => void)[] = [];

  constructor() {
    super();
    this.i18n = new I18n('en');
    this.error = '';
    this.status = '';
    this.live = false;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('client')) {
      for (const off of this.offs) off();
      this.offs = this.client ? this.subscribe(this.client) : [];
    }
    if (changed.has('snapshot') && this.snapshot) this.applySnapshot(this.snapshot);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    for (const off of this.offs) off();
    this.offs = [];
  }

  protected abstract subscribe(client: StreamerClient): (() => void)[];
  protected applySnapshot(_snapshot: JoinData): void {}

  /** Whether a push is about this panel's stream (a streamer's client hears every stream it joined). */
  protected mine(p: { streamId: string }): boolean {
    return p.streamId === this.streamId;
  }

  protected t(...args: Parameters<I18n['t']>): string {
    return this.i18n.t(...args);
  }

  /** Runs an action; a refusal becomes this panel's error line, success clears it. */
  protected async act<T>(action: () => Promise<T>, done?: string): Promise<T | undefined> {
    try {
      const result = await action();
      this.error = '';
      this.status = done ?? '';
      return result;
    } catch (err) {
      this.status = '';
      this.error = refusalText(this.i18n, err);
      return undefined;
    }
  }

  protected renderFeedback() {
    return html`${this.error ? html`<p class="notice error" role="alert">${this.error}</p>` : nothing}${this.status
      ? html`<p class="notice ok" role="status">${this.status}</p>`
      : nothing}`;
  }
}

/** A form's fields as strings (empty fields left out). */
export function fields(e: Event): Record<string, string> {
  e.preventDefault();
  const out: Record<string, string> = {};
  new FormData(e.target as HTMLFormElement).forEach((v, k) => {
    if (typeof v === 'string' && v.trim() !== '') out[k] = v.trim();
  });
  return out;
}
