import type { RequestInput } from './protocol/events.js';
import { StickyroomClient, type ClientOptions } from './client.js';

type Without<E extends Parameters<StickyroomClient['request']>[0]> = Omit<RequestInput<E>, 'streamId'>;

/**
 * A streamer's or moderator's connection: run the stream and its interactions, moderate chat.
 *
 * @example
 * const streamer = await createStreamerClient({ url, token }).connect();
 * await streamer.join(streamId);
 * await streamer.start(streamId);
 * const { drop } = await streamer.dropCoupon(streamId, { title: '10% off', discount: { type: 'percent', value: 10 }, quantity: 100, durationSec: 60 });
 */
export class StreamerClient extends StickyroomClient {
  start(streamId: string) {
    return this.request('stream:start', { streamId });
  }
  end(streamId: string) {
    return this.request('stream:end', { streamId });
  }
  chat(streamId: string, text: string) {
    return this.request('chat:send', { streamId, text });
  }
  deleteMessage(streamId: string, messageId: string) {
    return this.request('chat:delete', { streamId, messageId });
  }
  mute(streamId: string, userId: string, seconds: number) {
    return this.request('chat:mute', { streamId, userId, seconds });
  }
  ban(streamId: string, userId: string, unban = false) {
    return this.request('chat:ban', unban ? { streamId, userId, unban } : { streamId, userId });
  }
  pinMessage(streamId: string, messageId: string | null) {
    return this.request('chat:pin', { streamId, messageId });
  }
  chatSettings(streamId: string, settings: Without<'chat:settings'>) {
    return this.request('chat:settings', { streamId, ...settings });
  }
  markAnswered(questionId: string, reward?: RequestInput<'qa:answered'>['reward']) {
    return this.request('qa:answered', reward ? { questionId, reward } : { questionId });
  }
  createQuiz(streamId: string, quiz: Without<'quiz:create'>) {
    return this.request('quiz:create', { streamId, ...quiz } as RequestInput<'quiz:create'>);
  }
  closeQuiz(quizId: string) {
    return this.request('quiz:close', { quizId });
  }
  createPoll(streamId: string, poll: Without<'poll:create'>) {
    return this.request('poll:create', { streamId, ...poll });
  }
  closePoll(pollId: string) {
    return this.request('poll:close', { pollId });
  }
  /** Sets the stream's post-stream survey before it ends (enabled, question, minWatchMin, windowHours). */
  configureSurvey(streamId: string, survey: Without<'stream:survey'>) {
    return this.request('stream:survey', { streamId, ...survey });
  }
  createLottery(streamId: string, lottery: Without<'lottery:create'>) {
    return this.request('lottery:create', { streamId, ...lottery });
  }
  drawLottery(lotteryId: string) {
    return this.request('lottery:draw', { lotteryId });
  }
  dropCoupon(streamId: string, drop: Without<'coupon:drop'>) {
    return this.request('coupon:drop', { streamId, ...drop });
  }
  endDrop(dropId: string) {
    return this.request('coupon:end', { dropId });
  }
  pinProduct(streamId: string, product: RequestInput<'product:pin'>['product']) {
    return this.request('product:pin', { streamId, product });
  }
}

export function createStreamerClient(options: ClientOptions): StreamerClient {
  return new StreamerClient({ heartbeats: false, ...options });
}
