import type { Feature } from './types.js';
import { streamsFeature } from './streams/index.js';
import { roomHandlers } from './room/room.handlers.js';
import { lotteryFeature } from './lottery/index.js';
import { chatFeature } from './chat/index.js';
import { presenceFeature } from './presence/index.js';
import { reactionsFeature } from './reactions/index.js';
import { qaFeature } from './qa/index.js';
import { quizFeature } from './quiz/index.js';
import { summaryFeature } from './summary/index.js';
import { scoringFeature } from './scoring/index.js';
import { pointsFeature } from './points/index.js';
import { couponsFeature } from './coupons/index.js';
import { productsFeature } from './products/index.js';
import { ordersFeature } from './orders/index.js';
import { suggestionsFeature } from './suggestions/index.js';
import { reportFeature } from './report/index.js';
import { mechanicsFeature } from './mechanics/index.js';
import { webhooksFeature } from './webhooks/index.js';
import { pollsFeature } from './polls/index.js';
import { surveyFeature } from './survey/index.js';

/** The transport of every feature the server runs (their domain hooks are core/src/features.ts). */
export const features: readonly Feature[] = [
  { name: 'room', handlers: roomHandlers },
  streamsFeature,
  lotteryFeature,
  chatFeature,
  presenceFeature,
  reactionsFeature,
  qaFeature,
  quizFeature,
  summaryFeature,
  scoringFeature,
  pointsFeature,
  couponsFeature,
  productsFeature,
  ordersFeature,
  suggestionsFeature,
  reportFeature,
  mechanicsFeature,
  webhooksFeature,
  pollsFeature,
  surveyFeature,
];
