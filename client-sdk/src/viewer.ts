import type { RequestInput } from './protocol/events.js';
import type { REACTION_KINDS } from './protocol/constants.js';
import { randomHex } from './protocol/fairness.js';
import { StickyroomClient, type ClientOptions } from './client.js';
import { SeenIds } from './seen-ids.js';

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
  /** Drops this client got a code of. */
  private readonly claimedDrops = new SeenIds(256);

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
  claimCoupon(dropId: string, options: { retries?: number; opId?: string } = {}) {
    const id = options.opId ?? opId();
    // `fresh`: the first send of an opId made here cannot be a replay of a claim that went through, so a
    // node that knows the drop sold out may answer it without Redis. Never on a retry, nor for an opId the
    // app chose (it may be a retry of the app's own), nor for a drop this client holds a code of (the
    // server then says already_done, not sold_out).
    let fresh = options.opId === undefined && !this.resendsPackets && !this.claimedDrops.has(dropId);
    return this.withRetries(options.retries, async () => {
      const payload: RequestInput<'coupon:claim'> = fresh ? { dropId, opId: id, fresh: true } : { dropId, opId: id };
      fresh = false;
      const got = await this.request('coupon:claim', payload);
      this.claimedDrops.first(dropId);
      return got;
    });
  }
  clickProduct(streamId: string, productId: string) {
    return this.request('product:click', { streamId, productId });
  }
  /** Votes in a poll: one vote per viewer, final; the ack says the points credited for taking part, if any. */
  vote(pollId: string, option: number) {
    return this.request('poll:vote', { pollId, option });
  }
  /** The post-stream survey awaiting this viewer, if any (one offline at the stream's end asks here). */
  survey(streamId: string) {
    return this.request('survey:get', { streamId });
  }
  /** Answers a stream's post-stream survey: `score` 0–10, an optional comment (chat's text rules and blocked words). */
  answerSurvey(streamId: string, score: number, comment?: string) {
    return this.request('survey:answer', comment === undefined ? { streamId, score } : { streamId, score, comment });
  }
  points(brandId: string) {
    return this.request('points:get', { brandId });
  }
  /** The brand's active rewards, cheapest first, with the stock left. */
  rewards(brandId: string) {
    return this.request('points:rewards', { brandId });
  }
  /**
   * Redeems a reward for points. A lost ack (timeout, disconnect) and an `unavailable` answer are retried
   * with the same operation id, so the server answers the same redemption, charged once.
   */
  redeem(rewardId: string, options: { retries?: number; opId?: string } = {}) {
    const id = options.opId ?? opId();
    return this.withRetries(options.retries, () => this.request('points:redeem', { rewardId, opId: id }));
  }
  /** Retries `call` after a lost ack or `unavailable` (waiting its `retryAfterMs`, at most 5 s); `retries` bounds the attempts after the first. */
  private async withRetries<T>(retries: number | undefined, call: () => Promise<T>): Promise<T> {
    let attempt = 0;
    for (;;) {
      try {
        return await call();
      } catch (err) {
        const { code, retryAfterMs } = err as { code?: string; retryAfterMs?: number };
        if ((code !== 'timeout' && code !== 'disconnected' && code !== 'unavailable') || attempt++ >= (retries ?? 2)) throw err;
        if (code === 'unavailable') await new Promise((r) => setTimeout(r, Math.min(Math.max(retryAfterMs ?? 1000, 50), 5000)));
        if (code === 'disconnected') await this.connect().catch(() => undefined);
      }
    }
  }
}

export function createViewerClient(options: ClientOptions): ViewerClient {
  return new ViewerClient({ heartbeats: true, ...options });
}
