/**
 * The stickiness model: the formula, segments and loyalty tiers, pure functions of a viewer's history
 * or balance, no I/O (see docs/scoring.md).
 */
export * from './inputs.js';
export * from './params.js';
export * from './formula.js';
export * from './segments.js';
export * from './loyalty-tiers.js';
