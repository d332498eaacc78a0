import { QA_JOIN_QUESTIONS } from '@stickyroom/sdk/protocol';
import type { Feature } from '../types.js';
import { qaHandlers } from './qa.handlers.js';
import { qaStore } from '../../../../core/src/qa/qa.service.js';
import { publicQuestion } from '../../../../core/src/qa/qa.store.js';

/** Audience questions: ask, upvote, answered (with an optional reward for the asker). */
export const qaFeature: Feature = {
  name: 'qa',
  handlers: qaHandlers,
  async onJoin(ctx, stream) {
    const open = await qaStore(ctx).openQuestions(stream.id, QA_JOIN_QUESTIONS);
    return { questions: open.map(publicQuestion) };
  },
};
