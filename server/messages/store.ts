import type Database from 'better-sqlite3';
import type { Attachment, ChannelName, Direction, Message, Sender } from '../contract/index.js';
import type { Db } from '../storage/db.js';
import { isPostgres, nowMs } from '../storage/db.js';
import { isUniqueViolation } from '../errors.js';
import type { BatchResult } from './batch-plan.js';
import { commitPostgresBatch } from './batch-postgres.js';
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
  /** Attempts of a batch that hit a cross-node race before giving up. Default 5. */
  maxAttempts?: number;
  metrics?: StoreMetrics;
}

interface Pending {
  req: AppendRequest;
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
  private flushing = false;
  private idle: Promise<void> = Promise.resolve();
  private markIdle: () => void = () => {};
  private readonly maxBatch: number;
  private readonly maxAttempts: number;
  private readonly postgres: boolean;

  constructor(
    private readonly db: Db,
    private readonly opts: MessageStoreOptions = {},
  ) {
    this.maxBatch = opts.maxBatch ?? 500;
    this.maxAttempts = opts.maxAttempts ?? 5;
    if (this.maxBatch < 1) throw new Error('maxBatch must be at least 1');
    this.postgres = isPostgres(db);
  }

  /** Appends one message durably; resolves with the stored message (or the original on a duplicate key). */
  append(req: AppendRequest): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ req, resolve, reject });
      if (!this.flushing) {
        this.flushing = true;
        this.idle = new Promise((r) => (this.markIdle = r));
        // Let appends issued in the same tick join the first batch.
        setImmediate(() => void this.flushLoop());
      }
    });
  }

  /** Resolves once every append queued so far has committed or failed. */
  drain(): Promise<void> {
    return this.flushing ? this.idle : Promise.resolve();
  }

  private async flushLoop(): Promise<void> {
    while (this.queue.length) {
      const batch = this.queue.splice(0, this.maxBatch);
      const started = performance.now();
      await this.commitWithRetry(batch);
      this.opts.metrics?.onBatch(batch.length, (performance.now() - started) / 1000);
    }
    this.flushing = false;
    this.markIdle();
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
    if (this.postgres) return this.db.transaction((trx) => commitPostgresBatch(trx, requests, now));
    // SQLite: the knex pool holds the single connection; borrow it for one synchronous batch.
    const client = this.db.client as { acquireConnection(): Promise<Database.Database>; releaseConnection(c: Database.Database): Promise<void> };
    const conn = await client.acquireConnection();
    try {
      return commitSqliteBatch(conn, requests, now);
    } finally {
      await client.releaseConnection(conn);
    }
  }
}

function isBusy(err: unknown): boolean {
  const code = (err as { code?: string } | null)?.code ?? '';
  return code.startsWith('SQLITE_BUSY') || code === '40P01' /* deadlock_detected */;
}
