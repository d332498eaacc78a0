import { joinHook, type DomainFeature } from '../feature.js';
import { drawOpenLottery, enterByKeyword, lotteryForJoin, lotteryJoinView } from './lottery.service.js';

/** Provably fair lotteries: a chat message that is the keyword enters; the stream's end draws. */
export const lotteryHooks: DomainFeature = {
  name: 'lottery',
  join: joinHook({
    shared: (ctx, stream) => lotteryJoinView(ctx, stream.id),
    part: (ctx, stream, user, { standing }, l) => lotteryForJoin(ctx, stream, user, l, standing),
  }),
  onChatMessage: enterByKeyword,
  onStreamEnd: drawOpenLottery,
};
