import type { RedisClient } from '../redis/client.js';
import { Batcher } from './batcher.js';
import { errorMessage, type Consumer, type Job, type ResolvedConsumeOptions } from './queue.js';
import type { QueueScripts } from './scripts.js';

/** The keys of one stream (they share one hash tag). */
export interface StreamKeys {
  stream: string;
  delayed: string;
  dead: string;
  deadIndex: string;
}

export interface RedisConsumerContext {
  /** The queue's stream name (not the key). */
  stream: string;
  /** The consumer name within the group. */
  name: string;
  keys: StreamKeys;
  /** Shared command connection, with the queue scripts defined. */
  client: RedisClient & QueueScripts;
  /** This consumer's own connection for blocking reads; closed on stop. */
  blocking: RedisClient;
  handler: (job: Job<never>) => Promise<void>;
  opts: ResolvedConsumeOptions;
  onError: (err: unknown) => void;
}

/** One stream entry as the queue writes it. */
interface Entry {
  entryId: string;
  jobId: string;
  /** Attempt number of this entry's first delivery. */
  attempts: number;
  enqueuedAt: number;
  payload: string;
}

/** Due jobs moved into the stream per promote call. */
const PROMOTE_BATCH = 100;
/** Most entries acked in one script call. */
const ACK_BATCH = 256;

function parseEntry(entryId: string, fields: string[]): Entry {
  const f = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) f.set(fields[i]!, fields[i + 1]!);
  return { entryId, jobId: f.get('j') ?? entryId, attempts: Number(f.get('a') ?? 1), enqueuedAt: Number(f.get('t') ?? 0), payload: f.get('p') ?? 'null' };
}

const isNoGroup = (err: unknown) => err instanceof Error && err.message.includes('NOGROUP');

/**
 * The consumer loop of `RedisStreamQueue`: promote due delayed jobs, claim entries left idle by
 * dead consumers (XAUTOCLAIM), read new ones (XREADGROUP, blocking on its own connection), run
 * up to `concurrency` handlers, and settle them with scripts (the acks of one turn in one call;
 * a retry or dead letter one by one).
 * It never throws: every error goes to `onError` and the loop carries on after a pause.
 */
export class RedisStreamConsumer implements Consumer {
  private stopped = false;
  private stopping: Promise<void> | undefined;
  private readonly inflight = new Map<string, Promise<void>>();
  private wake: (() => void) | undefined;
  private groupReady = false;
  private claimCursor = '0-0';
  private nextClaimAt = 0;
  private promoteTimer: NodeJS.Timeout | undefined;
  private promoteAt = Infinity;
  /** When the loop next looks for due delayed jobs (it also looks when a known one falls due). */
  private nextPromoteAt = 0;
  private readonly loop: Promise<void>;
  /**
   * Acks of handlers that finished in the same turn (a routing batch settles many at once) go
   * out as one script call; a failed call is retried per entry, and an entry whose ack failed
   * stays pending and is claimed later, as before.
   */
  private readonly acks: Batcher<string>;

  constructor(private readonly ctx: RedisConsumerContext) {
    ctx.blocking.on('error', (err: unknown) => ctx.onError(err));
    this.acks = new Batcher(async (entryIds) => void (await ctx.client.sbqAck(ctx.keys.stream, ctx.opts.group, ...entryIds)), { maxBatch: ACK_BATCH, maxWaitMs: 0 });
    this.loop = this.run();
  }

  /** The queue's stream name this consumer reads. */
  get stream(): string {
    return this.ctx.stream;
  }

  async stop(): Promise<void> {
    if (this.stopping) return this.stopping;
    this.stopped = true;
    clearTimeout(this.promoteTimer);
    this.wake?.();
    this.stopping = (async () => {
      // Let a blocking read end by itself (at most pollMs) so no entry is read and then dropped;
      // cut the connection only if it hangs (e.g. Redis is down).
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.loop, new Promise((r) => (timer = setTimeout(r, this.ctx.opts.pollMs + 500)))]);
      clearTimeout(timer);
      this.ctx.blocking.disconnect();
      await this.loop;
      await Promise.allSettled([...this.inflight.values()]);
    })();
    return this.stopping;
  }

  private async run(): Promise<void> {
    const { opts } = this.ctx;
    while (!this.stopped) {
      try {
        if (this.inflight.size >= opts.concurrency) {
          await this.pause(opts.pollMs);
          continue;
        }
        if (!this.groupReady) await this.ensureGroup();
        if (Date.now() >= this.nextPromoteAt) await this.promoteDue();
        const now = Date.now();
        if (now >= this.nextClaimAt && (await this.claim()) > 0) continue;
        const waits = [opts.pollMs, this.nextClaimAt - now, this.nextPromoteAt - now];
        await this.read(Math.max(1, Math.min(...waits)));
      } catch (err) {
        if (this.stopped) break;
        if (isNoGroup(err)) this.groupReady = false; // a non-persistent Redis restarted
        this.ctx.onError(err);
        await this.pause(Math.min(opts.pollMs, 1000));
      }
    }
  }

  /** Waits `ms`, or less if a handler settles or `stop` is called. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private async ensureGroup(): Promise<void> {
    try {
      // From '0': entries enqueued before the group existed are work too.
      await this.ctx.client.xgroup('CREATE', this.ctx.keys.stream, this.ctx.opts.group, '0', 'MKSTREAM');
    } catch (err) {
      if (!(err instanceof Error && err.message.includes('BUSYGROUP'))) throw err;
    }
    this.groupReady = true;
  }

  /**
   * Moves due delayed jobs into the stream and sets when to look again: when the next one falls
   * due, and at least every `pollMs` (other nodes add delayed jobs too). Not on every turn of
   * the loop: under load each read returns a few entries, and a promote per read would be one
   * more Redis round trip per job.
   */
  private async promoteDue(): Promise<void> {
    const { keys, opts } = this.ctx;
    const [moved, nextDueIn] = await this.ctx.client.sbqPromote(keys.stream, keys.delayed, PROMOTE_BATCH);
    const wait = moved >= PROMOTE_BATCH ? 0 : nextDueIn < 0 ? opts.pollMs : Math.min(nextDueIn, opts.pollMs);
    this.nextPromoteAt = Date.now() + wait;
  }

  /**
   * Promotes again when a delayed job known to this node falls due (a retry this consumer
   * scheduled, or a delayed enqueue on this node), sooner than the loop's next look.
   */
  promoteIn(ms: number): void {
    const at = Date.now() + ms;
    if (this.stopped || (this.promoteTimer && this.promoteAt <= at)) return;
    clearTimeout(this.promoteTimer);
    this.promoteAt = at;
    this.promoteTimer = setTimeout(() => {
      this.promoteTimer = undefined;
      this.promoteAt = Infinity;
      this.promoteDue().catch((err: unknown) => this.ctx.onError(err));
    }, ms + 5);
  }

  /** Claims entries idle longer than claimIdleMs on any consumer; returns how many it started. */
  private async claim(): Promise<number> {
    const { client, keys, opts, name } = this.ctx;
    const free = opts.concurrency - this.inflight.size;
    const [cursor, claimed] = await client.sbqClaim(keys.stream, opts.group, name, opts.claimIdleMs, this.claimCursor, free);
    this.claimCursor = String(cursor);
    // Scan on at once while the pending list has more; otherwise look again in a while.
    this.nextClaimAt = Date.now() + (this.claimCursor === '0-0' ? Math.min(Math.max(opts.claimIdleMs / 4, 50), 5000) : 0);
    let started = 0;
    for (const [entryId, fields, deliveries] of claimed) {
      // Our own handler still runs it (it is slower than claimIdleMs): do not run it twice here.
      if (this.inflight.has(entryId)) continue;
      const entry = parseEntry(entryId, fields);
      this.start(entry, entry.attempts + Number(deliveries) - 1);
      started++;
    }
    return started;
  }

  private async read(blockMs: number): Promise<void> {
    const { blocking, keys, opts, name } = this.ctx;
    const free = opts.concurrency - this.inflight.size;
    const reply = (await blocking.xreadgroup('GROUP', opts.group, name, 'COUNT', free, 'BLOCK', blockMs, 'STREAMS', keys.stream, '>')) as
      | [string, [string, string[] | null][]][]
      | null;
    // Started even when stop() came meanwhile: the entries are ours now, and stop waits for them.
    for (const [, entries] of reply ?? []) {
      for (const [entryId, fields] of entries) {
        if (!fields) continue;
        const entry = parseEntry(entryId, fields);
        this.start(entry, entry.attempts);
      }
    }
  }

  private start(entry: Entry, attempts: number): void {
    const run = this.handle(entry, attempts)
      .catch((err: unknown) => this.ctx.onError(err)) // settling failed: the entry stays pending and is claimed later
      .finally(() => {
        this.inflight.delete(entry.entryId);
        this.wake?.();
      });
    this.inflight.set(entry.entryId, run);
  }

  private async handle(entry: Entry, attempts: number): Promise<void> {
    const { opts } = this.ctx;
    if (attempts > opts.maxAttempts) {
      // Its last attempt never settled (the consumer died or hung): do not run it again.
      return this.fail(entry, attempts - 1, 'handler did not settle within claimIdleMs on its last attempt', true);
    }
    let payload: unknown;
    try {
      payload = JSON.parse(entry.payload);
    } catch (err) {
      return this.fail(entry, attempts, `payload is not JSON: ${errorMessage(err)}`, true);
    }
    try {
      await this.ctx.handler({ id: entry.jobId, stream: this.ctx.stream, payload: payload as never, attempts, enqueuedAt: entry.enqueuedAt });
    } catch (err) {
      return this.fail(entry, attempts, errorMessage(err), false);
    }
    await this.acks.add(entry.entryId);
  }

  private async fail(entry: Entry, attempts: number, error: string, dead: boolean): Promise<void> {
    const { client, keys, opts } = this.ctx;
    const delayMs = dead ? 0 : Math.max(0, Math.round(opts.backoffMs(attempts)));
    const args = [opts.group, entry.entryId, entry.jobId, attempts, entry.enqueuedAt, entry.payload, dead ? 0 : opts.maxAttempts, delayMs, error];
    const outcome = await client.sbqFail(keys.stream, keys.delayed, keys.dead, keys.deadIndex, ...args);
    if (outcome === 1) this.promoteIn(delayMs);
  }
}
