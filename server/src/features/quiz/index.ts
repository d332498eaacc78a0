import type { Feature } from '../types.js';
import { quizHandlers } from './quiz.handlers.js';

/** Quizzes: create, answer, close. */
export const quizFeature: Feature = {
  name: 'quiz',
  handlers: quizHandlers,
};
