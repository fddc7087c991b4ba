/** Time is injected so tests and replays are deterministic; production uses the wall clock. */
export interface Clock {
  /** The current instant as an ISO-8601 UTC string. */
  now(): string;
}

export const systemClock: Clock = { now: () => new Date().toISOString() };
