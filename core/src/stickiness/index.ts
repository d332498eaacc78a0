/** The stickiness formula and segments: pure functions of a viewer's history, no I/O (see docs/scoring.md). */
export * from './inputs.js';
export * from './params.js';
export * from './formula.js';
export * from './segments.js';
