import type { DomainFeature } from './feature.js';
import { chatHooks } from './chat/chat.hooks.js';
import { couponsHooks } from './coupons/coupons.hooks.js';
import { lotteryHooks } from './lottery/lottery.hooks.js';
import { presenceHooks } from './presence/presence.hooks.js';
import { productsHooks } from './products/products.hooks.js';
import { qaHooks } from './qa/qa.hooks.js';
import { quizHooks } from './quiz/quiz.hooks.js';
import { reactionsHooks } from './reactions/reactions.hooks.js';
import { scoringHooks } from './scoring/scoring.hooks.js';
import { pollsHooks } from './polls/polls.hooks.js';
import { surveyHooks } from './survey/survey.hooks.js';

/**
 * Every feature with domain hooks, in the order their `room:join` parts merge and their stream-end hooks
 * run. Features without hooks (streams, summary, points, orders) are plain services and need no entry.
 */
export const domainFeatures: readonly DomainFeature[] = [
  lotteryHooks,
  chatHooks,
  presenceHooks,
  reactionsHooks,
  qaHooks,
  quizHooks,
  pollsHooks,
  scoringHooks,
  couponsHooks,
  productsHooks,
  // last: it reads the watch time the presence hook's end credits
  surveyHooks,
];
