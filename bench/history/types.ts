/** Public types of the history scenario (issue 4, scenario 3). */

export interface HistoryBenchOptions {
  tenants: number;
  /** Total messages to seed, e.g. 10_000_000 (full) or 200_000 (quick). */
  messages: number;
  conversationsPerTenant: number;
  /** Fixed (open-loop) request rate of each measured phase. */
  ratePerSecond: number;
  /** Length of each measured phase (recent, then old). */
  durationMs: number;
  /** Run the server with the Redis tiers (REDIS_URL) instead of the in-process ones. */
  redis: boolean;
  log(line: string): void;
}

/** Latencies in milliseconds, measured from each request's scheduled send time. */
export type LatencySummary = { p50: number; p90: number; p99: number; max: number; count: number };

export interface HistoryBenchResult {
  seeded: { tenants: number; conversations: number; messages: number; seconds: number; rowsPerSecond: number };
  recent: LatencySummary & { source: 'warm' };
  old: LatencySummary & { source: 'cold' };
  targetRate: number;
  achievedRate: { recent: number; old: number };
  errors: number;
  notes: string[];
}
