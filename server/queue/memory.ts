import { randomUUID } from 'node:crypto';
import {
  assertStreamName,
  errorMessage,
  resolveConsumeOptions,
  type Consumer,
  type ConsumeOptions,
  type DeadLetter,
  type Job,
  type JobQueue,
  type QueueStats,
  type ResolvedConsumeOptions,
} from './queue.js';

/** A job as queued; a retry is a new entry (new `seq`) of the same job. */
interface Entry {
  seq: number;
  id: string;
  /** Attempt number of this entry's first delivery. */
  attempts: number;
  enqueuedAt: number;
  /** JSON, as on Redis: handlers get a copy, never the caller's object. */
  payload: string;
}

/** An entry handed to a consumer and not settled yet (Redis: the pending entries list). */
interface Delivery {
  entry: Entry;
  consumer: string;
  deliveredAt: number;
  deliveries: number;
}

interface StreamState {
  ready: Entry[];
  inflight: Map<number, Delivery>;
  delayed: { due: number; entry: Entry }[];
  dead: Map<string, { letter: Omit<DeadLetter, 'payload'>; payload: string; enqueuedAt: number }>;
  /** Sleeping consumer loops; woken when work may have arrived. */
  waiters: Set<() => void>;
}

/**
 * The embedded hot tier: the same semantics as `RedisStreamQueue` inside one process —
 * at-least-once delivery, retries with backoff, dead letters and replay, and claiming of jobs
 * whose handler has not settled after `claimIdleMs` (an abandoned or hung consumer). Jobs do not
 * survive the process.
 */
export class MemoryQueue implements JobQueue {
  private readonly streams = new Map<string, StreamState>();
  private readonly consumers = new Set<MemoryConsumer>();
  private seq = 0;

  constructor(private readonly opts: { onError?: (err: unknown) => void } = {}) {}

  async enqueue<T>(stream: string, payload: T, opts: { delayMs?: number } = {}): Promise<string> {
    const state = this.state(stream);
    const entry: Entry = { seq: this.nextSeq(), id: randomUUID(), attempts: 1, enqueuedAt: Date.now(), payload: JSON.stringify(payload) ?? 'null' };
    const delayMs = Math.max(0, Math.ceil(opts.delayMs ?? 0));
    if (delayMs > 0) state.delayed.push({ due: Date.now() + delayMs, entry });
    else state.ready.push(entry);
    notify(state);
    return entry.id;
  }

  consume<T>(stream: string, handler: (job: Job<T>) => Promise<void>, opts: ConsumeOptions): Consumer {
    const consumer = new MemoryConsumer(stream, this.state(stream), handler as (job: Job<never>) => Promise<void>, resolveConsumeOptions(opts), {
      nextSeq: () => this.nextSeq(),
      onError: this.opts.onError ?? (() => {}),
    });
    this.consumers.add(consumer);
    return {
      stop: async () => {
        await consumer.stop();
        this.consumers.delete(consumer);
      },
    };
  }

  async deadLetters<T>(stream: string, limit = 100): Promise<DeadLetter<T>[]> {
    return [...this.state(stream).dead.values()].slice(0, limit).map((d) => ({ ...d.letter, payload: JSON.parse(d.payload) as T }));
  }

  async replayDead(stream: string, id: string): Promise<boolean> {
    const state = this.state(stream);
    const dead = state.dead.get(id);
    if (!dead) return false;
    state.dead.delete(id);
    state.ready.push({ seq: this.nextSeq(), id, attempts: 1, enqueuedAt: dead.enqueuedAt, payload: dead.payload });
    notify(state);
    return true;
  }

  async stats(stream: string): Promise<QueueStats> {
    const s = this.state(stream);
    return { pending: s.ready.length + s.inflight.size, delayed: s.delayed.length, dead: s.dead.size };
  }

  async close(): Promise<void> {
    await Promise.all([...this.consumers].map((c) => c.stop()));
    this.consumers.clear();
  }

  private nextSeq(): number {
    return ++this.seq;
  }

  private state(stream: string): StreamState {
    assertStreamName(stream);
    let s = this.streams.get(stream);
    if (!s) this.streams.set(stream, (s = { ready: [], inflight: new Map(), delayed: [], dead: new Map(), waiters: new Set() }));
    return s;
  }
}

const SETTLED: Promise<void> = Promise.resolve();

function notify(state: StreamState): void {
  for (const w of [...state.waiters]) w();
}

/** One consumer loop of `MemoryQueue`; mirrors `RedisStreamConsumer`. */
class MemoryConsumer implements Consumer {
  private stopped = false;
  private stopping: Promise<void> | undefined;
  /** Handlers running in this consumer, by entry seq. */
  private readonly running = new Map<number, Promise<void>>();
  private wake: (() => void) | undefined;
  private readonly loop: Promise<void>;

  constructor(
    private readonly stream: string,
    private readonly state: StreamState,
    private readonly handler: (job: Job<never>) => Promise<void>,
    private readonly opts: ResolvedConsumeOptions,
    private readonly queue: { nextSeq(): number; onError(err: unknown): void },
  ) {
    this.loop = this.run();
  }

  stop(): Promise<void> {
    if (!this.stopping) {
      this.stopped = true;
      this.wake?.();
      this.stopping = this.loop.then(() => Promise.allSettled([...this.running.values()])).then(() => {});
    }
    return this.stopping;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        if (this.running.size >= this.opts.concurrency) {
          await this.pause(this.opts.pollMs);
          continue;
        }
        const now = Date.now();
        this.promoteDue(now);
        const next = this.claimIdle(now) ?? this.takeReady(now);
        if (next) this.start(next.entry, next.attempts);
        else await this.pause(Math.max(1, Math.min(this.opts.pollMs, this.nextWakeAt() - now)));
      } catch (err) {
        this.queue.onError(err);
        await this.pause(this.opts.pollMs);
      }
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.state.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.state.waiters.add(done);
      this.wake = done;
    });
  }

  private promoteDue(now: number): void {
    const { delayed, ready } = this.state;
    if (!delayed.length) return;
    const due = delayed.filter((d) => d.due <= now).sort((a, b) => a.due - b.due);
    if (!due.length) return;
    this.state.delayed = delayed.filter((d) => d.due > now);
    for (const d of due) ready.push({ ...d.entry, seq: this.queue.nextSeq() });
  }

  /**
   * Whether a delivery may be in flight that is not running here (another consumer's, or one
   * left by a consumer that stopped): only such a delivery can ever be claimed. With one
   * consumer on the stream — the usual case — every delivery is running here, and the loop
   * need not look through hundreds of them for each job it takes.
   */
  private othersInFlight(): boolean {
    return this.state.inflight.size > this.running.size;
  }

  /** An entry delivered over claimIdleMs ago, not settled, and not running here: take it over. */
  private claimIdle(now: number): { entry: Entry; attempts: number } | undefined {
    if (!this.othersInFlight()) return undefined;
    for (const [seq, d] of this.state.inflight) {
      if (now - d.deliveredAt < this.opts.claimIdleMs || this.running.has(seq)) continue;
      d.consumer = this.opts.consumer;
      d.deliveredAt = now;
      d.deliveries++;
      return { entry: d.entry, attempts: d.entry.attempts + d.deliveries - 1 };
    }
    return undefined;
  }

  private takeReady(now: number): { entry: Entry; attempts: number } | undefined {
    const entry = this.state.ready.shift();
    if (!entry) return undefined;
    this.state.inflight.set(entry.seq, { entry, consumer: this.opts.consumer, deliveredAt: now, deliveries: 1 });
    return { entry, attempts: entry.attempts };
  }

  /** When the next delayed job falls due or the next delivery becomes claimable. */
  private nextWakeAt(): number {
    let at = Infinity;
    for (const d of this.state.delayed) at = Math.min(at, d.due);
    if (this.othersInFlight()) for (const [seq, d] of this.state.inflight) if (!this.running.has(seq)) at = Math.min(at, d.deliveredAt + this.opts.claimIdleMs);
    return at;
  }

  private start(entry: Entry, attempts: number): void {
    // Marked running first: `handle` may settle before it returns (a job past its attempts, a
    // payload that does not parse), and its `finally` must then find the mark to remove.
    this.running.set(entry.seq, SETTLED);
    const run = this.handle(entry, attempts);
    if (this.running.has(entry.seq)) this.running.set(entry.seq, run);
  }

  /**
   * Runs one delivery to its end. One async function rather than a promise chain: it runs for
   * every job (every routed message), and each link of a chain is one more promise and closure.
   */
  private async handle(entry: Entry, attempts: number): Promise<void> {
    try {
      if (attempts > this.opts.maxAttempts) {
        this.fail(entry, attempts - 1, 'handler did not settle within claimIdleMs on its last attempt', true);
        return;
      }
      try {
        await this.handler({ id: entry.id, stream: this.stream, payload: JSON.parse(entry.payload) as never, attempts, enqueuedAt: entry.enqueuedAt });
      } catch (err) {
        this.fail(entry, attempts, errorMessage(err), false);
        return;
      }
      // Ack: whoever settles first wins, as XACK does; a late duplicate is a no-op.
      this.state.inflight.delete(entry.seq);
    } catch (err) {
      this.queue.onError(err);
    } finally {
      this.running.delete(entry.seq);
      this.wake?.();
    }
  }

  private fail(entry: Entry, attempts: number, error: string, dead: boolean): void {
    const { state, opts } = this;
    if (!state.inflight.delete(entry.seq)) return; // settled by a claimer already
    if (dead || attempts >= opts.maxAttempts) {
      state.dead.set(entry.id, {
        letter: { id: entry.id, stream: this.stream, attempts, error, failedAt: Date.now() },
        payload: entry.payload,
        enqueuedAt: entry.enqueuedAt,
      });
      return;
    }
    const delayMs = Math.max(0, Math.round(opts.backoffMs(attempts)));
    state.delayed.push({ due: Date.now() + delayMs, entry: { ...entry, seq: this.queue.nextSeq(), attempts: attempts + 1 } });
    notify(state);
  }
}
