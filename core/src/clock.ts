/** Where the domain reads the time: a server node and the worker use the system clock, tests move their own. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
