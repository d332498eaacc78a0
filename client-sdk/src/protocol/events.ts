import type { z } from 'zod';
import type { Ack } from './errors.js';
import { roomRequests, type RoomPushes, type RoomReplies } from './room.js';
import { streamRequests, type StreamPushes, type StreamReplies } from './streams.js';
import { presenceRequests, type PresencePushes, type PresenceReplies } from './presence.js';
import { chatRequests, type ChatPushes, type ChatReplies } from './chat.js';
import { reactionRequests, type ReactionPushes, type ReactionReplies } from './reactions.js';
import { qaRequests, type QaPushes, type QaReplies } from './qa.js';
import { quizRequests, type QuizPushes, type QuizReplies } from './quiz.js';
import { lotteryRequests, type LotteryPushes, type LotteryReplies } from './lottery.js';
import { couponRequests, type CouponPushes, type CouponReplies } from './coupons.js';
import { productRequests, type ProductPushes, type ProductReplies } from './products.js';
import { pointsRequests, type PointsPushes, type PointsReplies } from './points.js';
import { pollRequests, type PollPushes, type PollReplies } from './polls.js';
import { surveyRequests, type SurveyPushes, type SurveyReplies } from './survey.js';

/** Every client → server event and the zod schema its payload must pass. */
export const requestSchemas = {
  ...roomRequests,
  ...streamRequests,
  ...presenceRequests,
  ...chatRequests,
  ...reactionRequests,
  ...qaRequests,
  ...quizRequests,
  ...lotteryRequests,
  ...couponRequests,
  ...productRequests,
  ...pointsRequests,
  ...pollRequests,
  ...surveyRequests,
} as const;

export type RequestName = keyof typeof requestSchemas;
/** What a caller passes (before defaults and trimming). */
export type RequestInput<E extends RequestName> = z.input<(typeof requestSchemas)[E]>;
/** What a handler receives (after parsing). */
export type RequestPayload<E extends RequestName> = z.output<(typeof requestSchemas)[E]>;

export interface Replies
  extends RoomReplies,
    StreamReplies,
    PresenceReplies,
    ChatReplies,
    ReactionReplies,
    QaReplies,
    QuizReplies,
    LotteryReplies,
    CouponReplies,
    ProductReplies,
    PointsReplies,
    PollReplies,
    SurveyReplies {}

export interface ServerToClientEvents
  extends RoomPushes,
    StreamPushes,
    PresencePushes,
    ChatPushes,
    ReactionPushes,
    QaPushes,
    QuizPushes,
    LotteryPushes,
    CouponPushes,
    ProductPushes,
    PointsPushes,
    PollPushes,
    SurveyPushes {}

export type PushName = keyof ServerToClientEvents;

/** Every server → client push, at run time (docs and tests enumerate it); the compiler keeps it complete. */
export const PUSH_NAMES = [
  'stream:state',
  'room:stats',
  'session:ended',
  'chat:message',
  'chat:batch',
  'chat:deleted',
  'chat:pinned',
  'chat:mode',
  'reaction:totals',
  'qa:question',
  'qa:updated',
  'quiz:started',
  'quiz:result',
  'quiz:answers',
  'lottery:started',
  'lottery:entered',
  'lottery:entrants',
  'lottery:drawn',
  'coupon:dropped',
  'coupon:stock',
  'coupon:ended',
  'product:pinned',
  'reward:granted',
  'moderation:notice',
  'poll:started',
  'poll:results',
  'poll:closed',
  'survey:request',
] as const satisfies readonly PushName[];
type UnlistedPush = Exclude<PushName, (typeof PUSH_NAMES)[number]>;
const pushListIsComplete: [UnlistedPush] extends [never] ? true : UnlistedPush = true;
void pushListIsComplete;
export type PushPayload<E extends PushName> = Parameters<ServerToClientEvents[E]>[0];

export type ClientToServerEvents = {
  [E in RequestName]: (payload: RequestInput<E>, ack: (res: Ack<Replies[E]>) => void) => void;
};

export function isRequestName(name: string): name is RequestName {
  return Object.prototype.hasOwnProperty.call(requestSchemas, name);
}
