import type { Attachment, ChannelName, Direction, Message, Sender } from '../contract/index.js';
import type { Db } from '../storage/db.js';
import { isPostgres, nowMs } from '../storage/db.js';
import { newId } from '../ids.js';
import { AppError, isUniqueViolation } from '../errors.js';
import { toMessage } from './repo.js';

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

const convKey = (r: AppendRequest) => `${r.tenantId}\u0000${r.conversationId}`;
const dedupMapKey = (tenantId: string, key: string) => `${tenantId}\u0000${key}`;

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
        const results = await this.db.transaction((trx) => this.commit(trx, batch));
        batch.forEach((p, i) => {
          const r = results[i]!;
          if (r instanceof Error) p.reject(r);
          else p.resolve(r);
        });
        return;
      } catch (err) {
        // Another node stored the same dedup key, or SQLite's writer lock moved under us:
        // the retry's dedup read sees the winner.
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

  private async commit(trx: Db, batch: Pending[]): Promise<(AppendResult | Error)[]> {
    const results: (AppendResult | Error)[] = new Array(batch.length);
    if (!this.postgres) {
      // Take SQLite's write lock before the first read (like BEGIN IMMEDIATE): a read-then-write
      // transaction cannot wait for another process's lock and would fail with SQLITE_BUSY.
      await trx.raw('UPDATE conversations SET last_seq = last_seq WHERE 0 = 1');
    }
    const existing = await this.loadDedup(trx, batch);
    const firstOfKey = new Map<string, number>();
    const fresh = new Map<string, number[]>(); // conversation → batch indexes, in order

    batch.forEach(({ req }, i) => {
      if (req.dedupKey) {
        const k = dedupMapKey(req.tenantId, req.dedupKey);
        const stored = existing.get(k);
        if (stored) {
          results[i] = { message: stored, duplicate: true };
          return;
        }
        if (firstOfKey.has(k)) return; // filled from the first occurrence below
        firstOfKey.set(k, i);
      }
      const list = fresh.get(convKey(req)) ?? [];
      list.push(i);
      fresh.set(convKey(req), list);
    });

    const now = nowMs();
    const rows: Record<string, unknown>[] = [];
    // A fixed lock order across nodes rules out deadlocks between two batches.
    for (const key of [...fresh.keys()].sort()) {
      const idx = fresh.get(key)!;
      const { tenantId, conversationId } = batch[idx[0]!]!.req;
      const updated = await trx('conversations')
        .where({ tenant_id: tenantId, id: conversationId })
        .update({
          last_seq: trx.raw('last_seq + ?', [idx.length]),
          last_activity_at: now,
          updated_at: now,
        })
        .returning(['last_seq']);
      const last = updated[0] ? Number((updated[0] as { last_seq: number }).last_seq) : undefined;
      if (last === undefined) {
        for (const i of idx) results[i] = new AppError('SB_ERR_CONVERSATION_NOT_FOUND');
        continue;
      }
      idx.forEach((i, n) => {
        const req = batch[i]!.req;
        const row = {
          tenant_id: req.tenantId,
          conversation_id: req.conversationId,
          seq: last - idx.length + 1 + n,
          id: newId(),
          direction: req.direction,
          private: req.private,
          sender_type: req.sender.type,
          sender_id: req.sender.id,
          sender_name: req.sender.name,
          body: req.body,
          attachments: JSON.stringify(req.attachments),
          channel: req.channel,
          dedup_key: req.dedupKey,
          created_at: now,
        };
        rows.push(row);
        results[i] = { message: toMessage(row), duplicate: false };
      });
    }
    // 15 columns a row keeps each statement well under SQLite's bound-parameter limit.
    for (let i = 0; i < rows.length; i += 500) await trx('messages').insert(rows.slice(i, i + 500));

    batch.forEach(({ req }, i) => {
      if (results[i] || !req.dedupKey) return;
      const first = results[firstOfKey.get(dedupMapKey(req.tenantId, req.dedupKey))!];
      results[i] = first instanceof Error || !first ? (first ?? new AppError('SB_ERR_INTERNAL')) : { message: first.message, duplicate: true };
    });
    return results;
  }

  private async loadDedup(trx: Db, batch: Pending[]): Promise<Map<string, Message>> {
    const byTenant = new Map<string, string[]>();
    for (const { req } of batch) {
      if (!req.dedupKey) continue;
      const keys = byTenant.get(req.tenantId) ?? [];
      keys.push(req.dedupKey);
      byTenant.set(req.tenantId, keys);
    }
    const found = new Map<string, Message>();
    for (const [tenantId, keys] of byTenant) {
      for (let i = 0; i < keys.length; i += 500) {
        const rows = await trx('messages').where({ tenant_id: tenantId }).whereIn('dedup_key', keys.slice(i, i + 500));
        for (const r of rows) found.set(dedupMapKey(tenantId, r.dedup_key), toMessage(r));
      }
    }
    return found;
  }
}

function isBusy(err: unknown): boolean {
  const code = (err as { code?: string } | null)?.code ?? '';
  return code.startsWith('SQLITE_BUSY') || code === '40P01' /* deadlock_detected */;
}
