import type { Message } from '../contract/index.js';
import { AppError } from '../errors.js';
import { newId } from '../ids.js';
import { toMessage } from './repo.js';
import type { AppendRequest, AppendResult } from './store.js';

export type BatchResult = AppendResult | Error;
export const convKey = (tenantId: string, conversationId: string) => `${tenantId}\u0000${conversationId}`;
export const dedupMapKey = (tenantId: string, key: string) => `${tenantId}\u0000${key}`;

/** A new message's row before its seq is known (see `BatchPlan.drafts`). */
export interface Draft {
  /** Index of the request in the batch. */
  index: number;
  /** 1-based position among the new messages of its conversation in this batch. */
  ord: number;
  row: Record<string, unknown>;
}

/** Conversations a batch advances, in a fixed order (the lock order on every node). */
export interface Bump {
  key: string;
  tenantId: string;
  conversationId: string;
  /** How many new messages. */
  n: number;
  /** Batch indexes of those messages, in append order. */
  indexes: number[];
}

/**
 * The database-independent part of a group commit. Step 1 (`dedupKeys`) says which idempotency
 * keys to look up; step 2 (`bumps`) turns the lookup into results for the duplicates and the
 * list of conversations to advance; step 3 (`rows`) numbers the new messages from each
 * conversation's new last seq; step 4 (`finish`) answers repeats of a key within the batch.
 */
export class BatchPlan {
  readonly results: (BatchResult | undefined)[];
  private readonly firstOfKey = new Map<string, number>();

  constructor(private readonly requests: AppendRequest[]) {
    this.results = new Array(requests.length);
  }

  dedupKeys(): Map<string, string[]> {
    const byTenant = new Map<string, string[]>();
    for (const req of this.requests) {
      if (!req.dedupKey) continue;
      const keys = byTenant.get(req.tenantId) ?? [];
      keys.push(req.dedupKey);
      byTenant.set(req.tenantId, keys);
    }
    return byTenant;
  }

  bumps(existing: Map<string, Message>): Bump[] {
    const fresh = new Map<string, Bump>();
    this.requests.forEach((req, i) => {
      if (req.dedupKey) {
        const k = dedupMapKey(req.tenantId, req.dedupKey);
        const stored = existing.get(k);
        if (stored) {
          this.results[i] = { message: stored, duplicate: true };
          return;
        }
        if (this.firstOfKey.has(k)) return; // answered from the first occurrence in `finish`
        this.firstOfKey.set(k, i);
      }
      const key = convKey(req.tenantId, req.conversationId);
      const bump = fresh.get(key) ?? { key, tenantId: req.tenantId, conversationId: req.conversationId, n: 0, indexes: [] };
      bump.n++;
      bump.indexes.push(i);
      fresh.set(key, bump);
    });
    return [...fresh.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /** Message rows for the database; `lastSeq` has each advanced conversation's new last seq. */
  rows(bumps: Bump[], lastSeq: Map<string, number>, now: number): Record<string, unknown>[] {
    return this.settle(bumps, this.drafts(bumps, now), lastSeq);
  }

  /**
   * The new messages' rows before their seq is known: ids and times are fixed here, and `ord`
   * (1-based position among the conversation's new messages) says which seq each will get.
   * Ordered like `bumps`, then like each bump's `indexes`.
   */
  drafts(bumps: Bump[], now: number): Draft[] {
    const drafts: Draft[] = [];
    for (const bump of bumps) {
      bump.indexes.forEach((i, n) => {
        const req = this.requests[i]!;
        drafts.push({
          index: i,
          ord: n + 1,
          row: {
            tenant_id: req.tenantId,
            conversation_id: req.conversationId,
            seq: 0,
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
            reply_to_seq: req.replyToSeq ?? null,
            provider_message_id: req.providerMessageId ?? null,
            created_at: now,
          },
        });
      });
    }
    return drafts;
  }

  /** Numbers the drafts from each conversation's new last seq and records the results; returns the rows stored. */
  settle(bumps: Bump[], drafts: Draft[], lastSeq: Map<string, number>): Record<string, unknown>[] {
    const rows: Record<string, unknown>[] = [];
    let d = 0;
    for (const bump of bumps) {
      const last = lastSeq.get(bump.key);
      for (let k = 0; k < bump.n; k++, d++) {
        const draft = drafts[d]!;
        if (last === undefined) {
          this.results[draft.index] = new AppError('SB_ERR_CONVERSATION_NOT_FOUND');
          continue;
        }
        draft.row['seq'] = last - bump.n + draft.ord;
        rows.push(draft.row);
        this.results[draft.index] = { message: toMessage(draft.row), duplicate: false };
      }
    }
    return rows;
  }

  finish(): BatchResult[] {
    this.requests.forEach((req, i) => {
      if (this.results[i] || !req.dedupKey) return;
      const first = this.results[this.firstOfKey.get(dedupMapKey(req.tenantId, req.dedupKey))!];
      this.results[i] = first instanceof Error || !first ? (first ?? new AppError('SB_ERR_INTERNAL')) : { message: first.message, duplicate: true };
    });
    return this.results as BatchResult[];
  }
}
