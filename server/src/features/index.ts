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

/** Every feature the server runs, in the order their `room:join` parts are merged. */
export const features: Feature[] = [
  { name: 'room', handlers: roomHandlers(() => features) },
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
];
