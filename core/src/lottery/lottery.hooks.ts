import type { DomainFeature } from '../feature.js';
import { drawOpenLottery, enterByKeyword, lotteryForJoin } from './lottery.service.js';

/** Provably fair lotteries: a chat message that is the keyword enters; the stream's end draws. */
export const lotteryHooks: DomainFeature = {
  name: 'lottery',
  onJoin: (ctx, stream, user, { standing }) => lotteryForJoin(ctx, stream, user, standing),
  onChatMessage: enterByKeyword,
  onStreamEnd: drawOpenLottery,
};
