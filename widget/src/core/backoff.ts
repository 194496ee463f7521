/** Reconnect delays: exponential with jitter, so a server restart is not met by a thundering herd. */
export interface BackoffOptions {
  /** Upper bound of the first delay, ms. Default 1000. */
  baseMs?: number;
  /** Largest delay, ms. Default 10000. */
  capMs?: number;
  /** Smallest share of the window a delay may take (0..1). Default 0.3. */
  floor?: number;
}

/**
 * The delay before reconnect attempt `attempt` (0 = first retry): a random point in
 * `[floor·w, w]` where `w = min(cap, base·2^attempt)`. With the defaults the first retry waits
 * 0.3–1 s and later ones at most 10 s.
 */
export function backoffDelay(attempt: number, random: () => number = Math.random, opts: BackoffOptions = {}): number {
  const base = opts.baseMs ?? 1000;
  const cap = opts.capMs ?? 10_000;
  const floor = opts.floor ?? 0.3;
  const window = Math.min(cap, base * 2 ** Math.min(Math.max(0, attempt), 30));
  const r = Math.min(1, Math.max(0, random()));
  return Math.round(window * (floor + (1 - floor) * r));
}
