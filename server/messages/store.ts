import type { Attachment, ChannelName, Direction, Message, Sender } from '../contract/index.js';
import type { Db } from '../storage/db.js';
import { isPostgres, nowMs, withPgConnection, withSqliteConnection } from '../storage/db.js';
import { isUniqueViolation } from '../errors.js';
import type { BatchResult } from './batch-plan.js';
import { commitPostgresBatch, commitPostgresBatchOneStatement } from './batch-postgres.js';
import { commitSqliteBatch } from './batch-sqlite.js';

export interface AppendRequest {
  tenantId: string;
  conversationId: string;
  direction: Direction;
  private: boolean;
  sender: Sender;
  body: string;
  attachments: Attachment[];
  channel: ChannelName;
  /** Idempotency key (client id or provider id, namespaced); a known key appends nothing. */
  dedupKey: string | null;
  /** The seq (same conversation) this message answers. */
  replyToSeq?: number | null | undefined;
  /** The provider's id of an inbound message (e.g. Telegram `message_id`), so replies can name it. */
  providerMessageId?: string | null | undefined;
}

export interface AppendResult {
  message: Message;
  /** True when the dedup key was seen before and `message` is the original. */
  duplicate: boolean;
}

export interface StoreMetrics {
  onBatch(size: number, seconds: number): void;
}

export interface MessageStoreOptions {
  /** Most appends committed in one transaction. Default 500. */
  maxBatch?: number;
  /** PostgreSQL transactions committing at once. Default 4 (SQLite: always 1). */
  maxInFlight?: number;
  /** Attempts of a batch that hit a cross-node race before giving up. Default 5. */
  maxAttempts?: number;
  /**
   * Least time between the starts of two batches, so that under load appends gather into
   * larger transactions; an append after a quiet spell still starts at once. Most of a commit's
   * cost is per transaction, not per message: on SQLite the commit blocks the event loop; on
   * PostgreSQL each transaction costs its backend a few hundred microseconds of CPU beyond its
   * rows (protocol round trip, executor start, commit record and WAL flush). Default 2 ms.
   */
  minBatchIntervalMs?: number;
  /**
   * PostgreSQL only: while another transaction is committing, a new one starts when this many
   * appends wait, or when the oldest has waited `maxBatchWaitMs`; fewer, larger transactions
   * cost the database much less per message. With nothing in flight a batch starts at once.
   * Defaults 64 and 3 ms.
   */
  minBatchWhileBusy?: number;
  maxBatchWaitMs?: number;
  metrics?: StoreMetrics;
}

interface Pending {
  req: AppendRequest;
  /** performance.now() when queued. */
  at: number;
  resolve(r: AppendResult): void;
  reject(e: unknown): void;
}


/**
 * The only writer of messages. Appends are group-committed: while one transaction is in
 * flight, new appends queue up and go together in the next one. Each conversation row is
 * advanced by the number of its new messages with one `UPDATE … RETURNING last_seq`, whose
 * row lock serializes writers on every node, so `seq` has no gaps or duplicates. A promise
 * resolves only after its transaction committed.
 */
export class MessageStore {
  private queue: Pending[] = [];
  private scheduled = false;
  private inFlight = 0;
  private drainWaiters: (() => void)[] = [];
  private readonly maxInFlight: number;
  private readonly maxBatch: number;
  private readonly maxAttempts: number;
  private readonly postgres: boolean;
  private readonly minBatchIntervalMs: number;
  private readonly minBatchWhileBusy: number;
  private readonly maxBatchWaitMs: number;
  private waitTimer: NodeJS.Timeout | undefined;
  /** When the last batch started (performance.now()). */
  private lastBatchAt = -Infinity;

  constructor(
    private readonly db: Db,
    private readonly opts: MessageStoreOptions = {},
  ) {
    this.maxBatch = opts.maxBatch ?? 500;
    this.maxAttempts = opts.maxAttempts ?? 5;
    if (this.maxBatch < 1) throw new Error('maxBatch must be at least 1');
    this.postgres = isPostgres(db);
    // SQLite has one writer and a synchronous driver: overlapping batches would only queue.
    this.maxInFlight = this.postgres ? (opts.maxInFlight ?? 4) : 1;
    this.minBatchIntervalMs = opts.minBatchIntervalMs ?? 2;
    this.minBatchWhileBusy = opts.minBatchWhileBusy ?? 64;
    this.maxBatchWaitMs = opts.maxBatchWaitMs ?? 3;
  }

  /** Appends one message durably; resolves with the stored message (or the original on a duplicate key). */
  append(req: AppendRequest): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ req, at: performance.now(), resolve, reject });
      this.schedule();
    });
  }

  /**
   * Starts a batch soon: after the current tick, so appends issued in the same tick join it,
   * and not before `minBatchIntervalMs` after the previous batch started.
   */
  private schedule(): void {
    if (this.waitTimer) {
      if (this.inFlight > 0 && this.queue.length < this.minBatchWhileBusy) return; // still gathering
      clearTimeout(this.waitTimer);
      this.waitTimer = undefined;
      this.scheduled = false;
    }
    if (this.scheduled) return;
    this.scheduled = true;
    const run = () => {
      this.scheduled = false;
      this.pump();
    };
    const wait = this.lastBatchAt + this.minBatchIntervalMs - performance.now();
    if (wait > 0) setTimeout(run, wait);
    else setImmediate(run);
  }

  /** Resolves once every append queued so far has committed or failed. */
  async drain(): Promise<void> {
    while (this.queue.length || this.inFlight > 0 || this.scheduled) await new Promise<void>((r) => this.drainWaiters.push(r));
  }

  /**
   * Starts batches while fewer than `maxInFlight` are committing. On PostgreSQL a few
   * transactions overlap so one commit's fsync does not idle the node (PostgreSQL flushes
   * concurrent commits together); each batch locks its conversations in one global order, so a
   * later batch touching the same conversation waits and seq follows queue order.
   */
  private pump(): void {
    while (this.queue.length && this.inFlight < this.maxInFlight) {
      if (this.inFlight > 0 && this.queue.length < this.minBatchWhileBusy) {
        // Busy: let the batch grow a little, unless its oldest append has waited long enough.
        const wait = this.queue[0]!.at + this.maxBatchWaitMs - performance.now();
        if (wait > 0) {
          if (!this.waitTimer) {
            this.scheduled = true; // drain() waits for the timer too
            this.waitTimer = setTimeout(() => {
              this.waitTimer = undefined;
              this.scheduled = false;
              this.pump();
            }, wait);
          }
          return;
        }
      }
      const batch = this.queue.splice(0, this.maxBatch);
      this.inFlight++;
      const started = performance.now();
      this.lastBatchAt = started;
      void this.commitWithRetry(batch).finally(() => {
        this.inFlight--;
        this.opts.metrics?.onBatch(batch.length, (performance.now() - started) / 1000);
        if (this.queue.length) this.schedule();
        if (!this.queue.length && this.inFlight === 0 && !this.scheduled) for (const w of this.drainWaiters.splice(0)) w();
      });
    }
  }

  private async commitWithRetry(batch: Pending[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        const results = await this.commit(batch.map((p) => p.req));
        batch.forEach((p, i) => {
          const r = results[i]!;
          if (r instanceof Error) p.reject(r);
          else p.resolve(r);
        });
        return;
      } catch (err) {
        // Another node stored the same dedup key, a deadlock between two nodes' batches, or
        // SQLite's lock held too long by another process: the retry's dedup read sees the winner.
        if (attempt < this.maxAttempts && (isUniqueViolation(err) || isBusy(err))) {
          await new Promise((r) => setTimeout(r, Math.random() * 5 * attempt));
          continue;
        }
        if (batch.length > 1) {
          // One bad append (say, a value the database rejects) must not fail its neighbours:
          // commit them one by one so only the bad one gets the error.
          for (const p of batch) await this.commitWithRetry([p]);
          return;
        }
        batch[0]!.reject(err);
        return;
      }
    }
  }

  private async commit(requests: AppendRequest[]): Promise<BatchResult[]> {
    const now = nowMs();
    if (this.postgres) {
      // One round trip when no key of the batch was stored before (the usual case); a stored
      // key rolls the statement back whole, and the careful path's dedup read finds it.
      try {
        return await withPgConnection(this.db, (conn) => commitPostgresBatchOneStatement(conn, requests, now));
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
      }
      return this.db.transaction((trx) => commitPostgresBatch(trx, requests, now));
    }
    // SQLite: one synchronous batch on the pool's single connection.
    return withSqliteConnection(this.db, (conn) => commitSqliteBatch(conn, requests, now));
  }
}

function isBusy(err: unknown): boolean {
  const code = (err as { code?: string } | null)?.code ?? '';
  return code.startsWith('SQLITE_BUSY') || code === '40P01' /* deadlock_detected */;
}
