import type { RequestInput } from './protocol/events.js';
import type { REACTION_KINDS } from './protocol/constants.js';
import { randomHex } from './protocol/fairness.js';
import { StickyroomClient, type ClientOptions } from './client.js';

function opId(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  return c?.randomUUID ? c.randomUUID() : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

/**
 * A viewer's connection: watch (automatic heartbeats), chat, react, ask, answer, enter, claim, click.
 *
 * @example
 * const viewer = await createViewerClient({ url: 'http://localhost:3000', token }).connect();
 * const room = await viewer.join(streamId);
 * viewer.on('chat:message', (m) => render(m));
 * await viewer.chat(streamId, 'hello!');
 */
export class ViewerClient extends StickyroomClient {
  chat(streamId: string, text: string) {
    return this.request('chat:send', { streamId, text });
  }
  react(streamId: string, kind: (typeof REACTION_KINDS)[number] = 'like', count?: number) {
    const p: RequestInput<'reaction:send'> = { streamId, kind };
    if (count !== undefined) p.count = count;
    return this.request('reaction:send', p);
  }
  ask(streamId: string, text: string) {
    return this.request('qa:ask', { streamId, text });
  }
  upvote(questionId: string) {
    return this.request('qa:upvote', { questionId });
  }
  /** Your personal share link for a stream (`{ code, url }`); a new viewer joining through it is credited to you. */
  referralLink(streamId: string) {
    return this.request('referral:link', { streamId });
  }
  answerQuiz(quizId: string, option: number) {
    return this.request('quiz:answer', { quizId, option });
  }
  /**
   * Enters a lottery with a fresh random nonce (entropy mixed into the draw, see `verifyDraw`). The ack
   * echoes the nonce: keep it to find your line `<your id> <nonce>` in the published entrant list.
   * Pass `{ nonce: false }` to enter without one.
   */
  enterLottery(lotteryId: string, options: { nonce?: string | false } = {}) {
    const nonce = options.nonce === undefined ? randomHex(16) : options.nonce;
    return this.request('lottery:enter', nonce ? { lotteryId, nonce } : { lotteryId });
  }
  /**
   * Claims a coupon. A lost ack (timeout, disconnect) and an `unavailable` answer (the server could not
   * tell whether the claim went through) are retried with the same operation id, so the server answers
   * the same claim, with its code if it committed, instead of counting a second one. `unavailable` waits
   * its `retryAfterMs` (at most 5 s) first; `retries` bounds the attempts after the first.
   */
  async claimCoupon(dropId: string, options: { retries?: number; opId?: string } = {}) {
    const id = options.opId ?? opId();
    let attempt = 0;
    for (;;) {
      try {
        return await this.request('coupon:claim', { dropId, opId: id });
      } catch (err) {
        const { code, retryAfterMs } = err as { code?: string; retryAfterMs?: number };
        if ((code !== 'timeout' && code !== 'disconnected' && code !== 'unavailable') || attempt++ >= (options.retries ?? 2)) throw err;
        if (code === 'unavailable') await new Promise((r) => setTimeout(r, Math.min(Math.max(retryAfterMs ?? 1000, 50), 5000)));
        if (code === 'disconnected') await this.connect().catch(() => undefined);
      }
    }
  }
  clickProduct(streamId: string, productId: string) {
    return this.request('product:click', { streamId, productId });
  }
  points(brandId: string) {
    return this.request('points:get', { brandId });
  }
}

export function createViewerClient(options: ClientOptions): ViewerClient {
  return new ViewerClient({ heartbeats: true, ...options });
}
