/**
 * The hot tier's contract: durable work queues (outbound deliveries, routing and plugin jobs).
 * Delivery is at-least-once: a handler may see a job again after a crash or a slow run, so
 * handlers must be idempotent (de-duplicate by `job.id` or by a key inside the payload).
 *
 * One stream is one work queue served by one consumer group; every consumer of the group
 * competes for its jobs. Payloads cross the queue as JSON.
 */

/** One delivery of a job to a handler. */
export interface Job<T = unknown> {
  /** Stable across retries, claims and replays; returned by `enqueue`. */
  id: string;
  stream: string;
  payload: T;
  /** 1 on the first delivery; every retry and every claim from a dead consumer adds one. */
  attempts: number;
  /** Epoch ms of the original `enqueue`. */
  enqueuedAt: number;
}

/** A job that failed `maxAttempts` times; it waits in the dead-letter stream for a replay. */
export interface DeadLetter<T = unknown> {
  id: string;
  stream: string;
  payload: T;
  attempts: number;
  /** The last error message (truncated to `MAX_ERROR_LENGTH`). */
  error: string;
  failedAt: number;
}

export interface ConsumeOptions {
  /** Consumer group. Default `'workers'`. */
  group?: string;
  /** Unique per node/process (e.g. the node id). */
  consumer: string;
  /** Jobs run at once by this consumer. Default 1. */
  concurrency?: number;
  /** Deliveries before a job is dead-lettered. Default 5. */
  maxAttempts?: number;
  /** Delay before retry `attempt + 1` after attempt `attempt` failed. Default `defaultBackoff`. */
  backoffMs?: (attempt: number) => number;
  /**
   * A job delivered longer ago than this and not yet settled, on ANY consumer, is claimed by
   * another one (it is the visibility timeout: keep it above the slowest handler). Default 30000.
   */
  claimIdleMs?: number;
  /** Longest block / poll interval. Default 1000. */
  pollMs?: number;
}

export interface Consumer {
  /** Stops fetching and waits for in-flight handlers to settle. */
  stop(): Promise<void>;
}

export interface QueueStats {
  /** Jobs in the stream: waiting or being handled. */
  pending: number;
  /** Jobs waiting for their due time (delayed enqueues and retries in backoff). */
  delayed: number;
  dead: number;
}

export interface JobQueue {
  /** Adds a job; with `delayMs` it is not delivered before that time has passed. Resolves to the job id. */
  enqueue<T>(stream: string, payload: T, opts?: { delayMs?: number }): Promise<string>;
  /** Starts a consumer loop. It never throws: errors go to the queue's `onError`. */
  consume<T>(stream: string, handler: (job: Job<T>) => Promise<void>, opts: ConsumeOptions): Consumer;
  /** Oldest first. Default limit 100. */
  deadLetters<T>(stream: string, limit?: number): Promise<DeadLetter<T>[]>;
  /** Moves one dead letter back to the stream with attempts reset; false if unknown. */
  replayDead(stream: string, id: string): Promise<boolean>;
  stats(stream: string): Promise<QueueStats>;
  /** Stops every consumer started from this queue (waiting for in-flight handlers). */
  close(): Promise<void>;
}

/** Longest error message kept on a dead letter. */
export const MAX_ERROR_LENGTH = 2000;

/** 500 ms · 2^(attempt-1), capped at 60 s, with "equal jitter" (50–100 % of that). */
export function defaultBackoff(attempt: number): number {
  const base = Math.min(60_000, 500 * 2 ** Math.min(Math.max(attempt - 1, 0), 20));
  return Math.round(base / 2 + (Math.random() * base) / 2);
}

/** ConsumeOptions with every default filled in. */
export type ResolvedConsumeOptions = Required<ConsumeOptions>;

/** Fills in defaults and checks invariants (a programming error throws at `consume`). */
export function resolveConsumeOptions(opts: ConsumeOptions): ResolvedConsumeOptions {
  const resolved: ResolvedConsumeOptions = {
    group: 'workers',
    concurrency: 1,
    maxAttempts: 5,
    backoffMs: defaultBackoff,
    claimIdleMs: 30_000,
    pollMs: 1000,
    ...opts,
  };
  if (!resolved.consumer) throw new TypeError('ConsumeOptions.consumer is required');
  for (const k of ['concurrency', 'maxAttempts', 'claimIdleMs', 'pollMs'] as const) {
    if (!Number.isInteger(resolved[k]) || resolved[k] < 1) throw new RangeError(`ConsumeOptions.${k} must be a positive integer`);
  }
  return resolved;
}

/** The message of anything thrown, cut to `MAX_ERROR_LENGTH`. */
export function errorMessage(err: unknown): string {
  const text = err instanceof Error ? err.message || err.name : String(err);
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH - 1)}…` : text;
}

/** Stream names become part of Redis keys and their `{q:name}` hash tag: keep them plain. */
export function assertStreamName(stream: string): void {
  if (!/^[A-Za-z0-9_.:-]{1,200}$/.test(stream)) throw new TypeError(`invalid stream name ${JSON.stringify(stream)}: use letters, digits and _.:-`);
}
