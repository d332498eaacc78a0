import { QA_JOIN_QUESTIONS } from '@stickyroom/sdk/protocol';
import { joinHook, type DomainFeature } from '../feature.js';
import { qaStore } from './qa.service.js';
import { publicQuestion } from './qa.store.js';

/** Audience questions: the join ack carries the open ones, most votes first. */
export const qaHooks: DomainFeature = {
  name: 'qa',
  join: joinHook({
    // the public view is made inside the shared read, so every join of the moment carries the same list
    shared: async (ctx, stream) => ({ questions: (await qaStore(ctx).openQuestions(stream.id, QA_JOIN_QUESTIONS)).map(publicQuestion) }),
    part: (_ctx, _stream, _user, _args, part) => part,
  }),
};
