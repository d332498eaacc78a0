import { isEligible } from '../audience/audience.js';
import { joinHook, type DomainFeature } from '../feature.js';
import { closePoll, openPollView } from './polls.service.js';
import { pollStore } from './polls.store.js';

/**
 * Polls: the join ack carries the open one with its counts so far (a targeted poll only for viewers of its
 * audience; the staff, without a standing, see every poll); the stream's end closes it.
 */
export const pollsHooks: DomainFeature = {
  name: 'polls',
  join: joinHook({
    shared: (ctx, stream) => openPollView(ctx, stream.id, ctx.clock.now()),
    part: (_ctx, _stream, _user, { standing }, poll) => (!poll || (standing && !isEligible(poll.audience, standing).ok) ? {} : { poll }),
  }),
  async onStreamEnd(ctx, stream) {
    const open = await pollStore(ctx).openPollId(stream.id);
    if (open) await closePoll(ctx, stream.id, open, 'stream_end', ctx.clock.now());
  },
};
