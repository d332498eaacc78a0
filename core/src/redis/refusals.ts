import { AppError, type ErrorCode } from '../errors.js';

interface RefusalSpec {
  code: ErrorCode;
  /** What the caller reads; a function of the reply's detail where the detail says more (how long, which). */
  message: string | ((detail: unknown) => string);
  reason?: string;
  /** `detail`: the reply's detail is the wait in ms; a number: a fixed wait. */
  retryAfter?: 'detail' | number;
  /** `detail`: the reply's detail is a sold-out drop's claimed count (the ack's `claimed`). */
  claimed?: 'detail';
}

/**
 * Every refusal a Lua script can answer, as the wire sees it: the one table from negative replies to error
 * codes and messages. A script lists which of its negative replies is which (`refusals` in its
 * defineScript), so no store switches on reply numbers and no message is written twice.
 */
export const REFUSALS = {
  // every user event (the gate a script counts itself, see event-gate.include.lua)
  event_rate_limit: { code: 'rate_limited', message: 'too many events from this user', retryAfter: 'detail' },

  // streams
  stream_not_found: { code: 'not_found', message: 'no such stream' },
  stream_ended: { code: 'closed', message: 'the stream has ended' },
  not_live: { code: 'not_live', message: 'the stream is not live' },

  // chat and the text rules other features share
  banned: { code: 'banned', message: 'you are banned from this stream' },
  muted: { code: 'muted', message: 'a moderator muted you', retryAfter: 'detail' },
  blocked_word: { code: 'invalid_payload', message: 'the message contains a blocked word', reason: 'blocked_word' },
  duplicate: { code: 'invalid_payload', message: 'you just sent this message', reason: 'duplicate' },
  slow_mode: { code: 'rate_limited', message: 'slow mode is on', reason: 'slow_mode', retryAfter: 'detail' },
  chat_rate_limit: { code: 'rate_limited', message: 'too many messages', reason: 'rate_limit', retryAfter: 'detail' },

  // questions
  questions_not_live: { code: 'not_live', message: 'questions open when the stream is live' },
  question_open: { code: 'already_done', message: 'you already have an open question; wait until it is answered' },
  questions_full: { code: 'closed', message: 'this stream takes no more questions' },
  question_blocked_word: { code: 'invalid_payload', message: 'the question contains a blocked word', reason: 'blocked_word' },
  question_not_found: { code: 'not_found', message: 'no such question' },
  question_answered: { code: 'closed', message: 'the question was answered already' },
  own_question: { code: 'forbidden', message: 'you cannot upvote your own question', reason: 'own_question' },
  upvoted: { code: 'already_done', message: 'you upvoted this question already' },

  // quizzes
  quiz_not_live: { code: 'not_live', message: 'quizzes run while the stream is live' },
  quiz_open: { code: 'conflict', message: 'another quiz is open on this stream; close it first' },
  quiz_not_found: { code: 'not_found', message: 'no such quiz' },
  quiz_closed: { code: 'closed', message: 'the quiz is closed' },
  quiz_no_such_option: { code: 'invalid_payload', message: 'option: the quiz has no such option' },
  quiz_answered: { code: 'already_done', message: 'you answered this quiz already; answers are final' },

  // polls
  poll_not_live: { code: 'not_live', message: 'polls run while the stream is live' },
  poll_open: { code: 'conflict', message: 'another poll is open on this stream; close it first' },
  poll_not_found: { code: 'not_found', message: 'no such poll' },
  poll_closed: { code: 'closed', message: 'the poll is closed' },
  poll_no_such_option: { code: 'invalid_payload', message: 'option: the poll has no such option' },
  poll_voted: { code: 'already_done', message: 'you voted in this poll already; votes are final' },

  // the post-stream survey
  survey_not_open: { code: 'not_found', message: 'this stream has no survey (yet): it opens when the stream ends' },
  survey_closed: { code: 'closed', message: 'the survey is closed' },
  survey_not_eligible: { code: 'not_eligible', message: 'the survey is for viewers who watched long enough', reason: 'min_watch' },
  survey_answered: { code: 'already_done', message: 'you answered this survey already' },

  // lotteries
  lottery_not_live: { code: 'not_live', message: 'lotteries run on a live stream' },
  lottery_open: { code: 'conflict', message: (id) => `lottery ${String(id)} is still open: draw it first` },
  lottery_not_found: { code: 'not_found', message: 'no such lottery' },
  lottery_closed: { code: 'closed', message: 'the lottery is closed' },
  lottery_entered: { code: 'already_done', message: 'you are already in this lottery' },
  lottery_min_watch: { code: 'not_eligible', message: 'you have not watched long enough to enter', reason: 'min_watch' },
  lottery_no_chat: { code: 'not_eligible', message: 'chat first to enter this lottery', reason: 'no_chat' },
  lottery_keyword_only: { code: 'not_eligible', message: 'enter this lottery by sending its keyword in chat', reason: 'keyword_only' },
  lottery_not_closed: { code: 'conflict', message: 'the lottery is not closed yet' },

  // coupon drops
  drop_not_found: { code: 'not_found', message: 'no such coupon drop' },
  drop_closed: { code: 'closed', message: 'the drop is closed' },
  sold_out: { code: 'sold_out', message: 'no coupons left', claimed: 'detail' },
  drop_claimed: { code: 'already_done', message: 'you already claimed as many coupons of this drop as allowed' },
  drop_min_watch: {
    code: 'not_eligible',
    message: (missingMs) => `watch ${Math.max(1, Math.ceil(Number(missingMs) / 1000))} s more to claim this drop`,
    reason: 'min_watch_time',
  },

  // points rewards
  reward_not_found: { code: 'not_found', message: 'no such reward' },
  reward_inactive: { code: 'closed', message: 'this reward is not offered any more' },
  reward_min_tier: { code: 'not_eligible', message: 'your loyalty tier is too low for this reward', reason: 'min_tier' },
  reward_limit: { code: 'already_done', message: 'you already redeemed this reward as many times as allowed' },
  reward_sold_out: { code: 'sold_out', message: 'this reward is sold out' },
  insufficient_points: { code: 'insufficient_points', message: (balance) => `not enough points: you have ${Number(balance)}` },

  // products and orders
  product_not_pinned: { code: 'not_found', message: 'this product was not pinned in this stream' },
  order_busy: { code: 'conflict', message: 'this order is being counted by another delivery', retryAfter: 1000 },
} as const satisfies Record<string, RefusalSpec>;

export type Refusal = keyof typeof REFUSALS;

/** A refusal a script answered, as a value (Script.attempt), for callers that act on it before refusing. */
export class Refused {
  constructor(
    readonly refusal: Refusal,
    /** The reply's second element, when the script gave one (a wait in ms, the id in the way). */
    readonly detail: unknown,
  ) {}

  toError(): AppError {
    return refusalError(this.refusal, this.detail);
  }
}

export function refusalError(refusal: Refusal, detail?: unknown): AppError {
  const spec: RefusalSpec = REFUSALS[refusal];
  const message = typeof spec.message === 'function' ? spec.message(detail) : spec.message;
  const details: AppError['details'] = {};
  if (spec.retryAfter === 'detail') details.retryAfterMs = Math.max(1, Math.ceil(Number(detail ?? 0)));
  else if (spec.retryAfter !== undefined) details.retryAfterMs = spec.retryAfter;
  if (spec.reason !== undefined) details.reason = spec.reason;
  if (spec.claimed === 'detail' && Number.isInteger(detail) && (detail as number) >= 0) details.claimed = detail as number;
  return new AppError(spec.code, message, details);
}
