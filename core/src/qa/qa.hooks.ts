import { QA_JOIN_QUESTIONS } from '@stickyroom/sdk/protocol';
import type { DomainFeature } from '../feature.js';
import { qaStore } from './qa.service.js';
import { publicQuestion } from './qa.store.js';
import { joinRead } from '../room/join-reads.js';

/** Audience questions: the join ack carries the open ones, most votes first. */
export const qaHooks: DomainFeature = {
  name: 'qa',
  async onJoin(ctx, stream) {
    // the public view is made inside the shared read, so every join of the moment carries the same list
    const questions = await joinRead(ctx, stream.id, 'qa', async () => (await qaStore(ctx).openQuestions(stream.id, QA_JOIN_QUESTIONS)).map(publicQuestion));
    return { questions };
  },
};
