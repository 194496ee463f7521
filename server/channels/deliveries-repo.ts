import type { Db } from '../storage/db.js';
import { nowMs, parseJson, toIso } from '../storage/db.js';
import { isUniqueViolation } from '../errors.js';

export type DeliveryStatus = 'queued' | 'sending' | 'retrying' | 'sent' | 'failed' | 'unreachable';

/** The delivery state of one outbound message, as `GET /api/v1/conversations/:id/deliveries` shows it. */
export interface Delivery {
  messageId: string;
  conversationId: string;
  inboxId: string;
  channel: string;
  seq: number;
  status: DeliveryStatus;
  attempts: number;
  partsSent: number;
  providerMessageIds: string[];
  error: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface DeliveryRow extends Omit<Delivery, 'createdAt' | 'updatedAt'> {
  tenantId: string;
  createdAt: number;
  updatedAt: number;
  /** When a queued or retrying delivery is next due (epoch ms); internal, not on the wire. */
  dueAt: number;
}

/** States in which a delivery waits for a worker. */
const WAITING = ['queued', 'retrying'] as const;

const toRow = (r: Record<string, unknown>): DeliveryRow => ({
  tenantId: r['tenant_id'] as string,
  messageId: r['message_id'] as string,
  conversationId: r['conversation_id'] as string,
  inboxId: r['inbox_id'] as string,
  channel: r['channel'] as string,
  seq: Number(r['seq']),
  status: r['status'] as DeliveryStatus,
  attempts: Number(r['attempts']),
  partsSent: Number(r['parts_sent']),
  providerMessageIds: parseJson(r['provider_ids'], [] as string[]),
  error: (r['error'] as string | null) ?? null,
  createdAt: Number(r['created_at']),
  updatedAt: Number(r['updated_at']),
  dueAt: Number(r['due_at']),
});

export const toWireDelivery = ({ tenantId: _t, createdAt, updatedAt, dueAt: _d, ...rest }: DeliveryRow): Delivery => ({
  ...rest,
  createdAt: toIso(createdAt)!,
  updatedAt: toIso(updatedAt)!,
});

/** Outbound delivery state, one row per outbound message (tenant-scoped like everything). */
export class DeliveryRepo {
  constructor(private readonly db: Db) {}

  /** Records a new delivery; false when the message already has one. */
  async create(tenantId: string, d: { messageId: string; conversationId: string; inboxId: string; channel: string; seq: number }): Promise<boolean> {
    const now = nowMs();
    try {
      await this.db('deliveries').insert({
        tenant_id: tenantId,
        message_id: d.messageId,
        conversation_id: d.conversationId,
        inbox_id: d.inboxId,
        channel: d.channel,
        seq: d.seq,
        status: 'queued',
        attempts: 0,
        parts_sent: 0,
        provider_ids: '[]',
        created_at: now,
        updated_at: now,
        due_at: now,
      });
      return true;
    } catch (err) {
      if (isUniqueViolation(err)) return false;
      throw err;
    }
  }

  async get(tenantId: string, messageId: string): Promise<DeliveryRow | undefined> {
    const r = await this.db('deliveries').where({ tenant_id: tenantId, message_id: messageId }).first();
    return r ? toRow(r) : undefined;
  }

  async forConversation(tenantId: string, conversationId: string, limit = 200): Promise<DeliveryRow[]> {
    const rows = await this.db('deliveries').where({ tenant_id: tenantId, conversation_id: conversationId }).orderBy('created_at', 'desc').limit(limit);
    return rows.map(toRow).reverse();
  }

  /** True when an earlier reply of the conversation is still on its way (and not abandoned for `staleMs`). */
  async earlierPending(tenantId: string, conversationId: string, seq: number, staleMs: number): Promise<boolean> {
    const r = await this.db('deliveries')
      .where({ tenant_id: tenantId, conversation_id: conversationId })
      .andWhere('seq', '<', seq)
      .whereIn('status', ['queued', 'sending', 'retrying'])
      .andWhere('updated_at', '>', nowMs() - staleMs)
      .first('message_id');
    return Boolean(r);
  }

  async update(tenantId: string, messageId: string, patch: Partial<Pick<DeliveryRow, 'status' | 'attempts' | 'error' | 'dueAt'>>): Promise<void> {
    const row: Record<string, unknown> = { updated_at: nowMs() };
    if (patch.status !== undefined) row['status'] = patch.status;
    if (patch.attempts !== undefined) row['attempts'] = patch.attempts;
    if (patch.error !== undefined) row['error'] = patch.error;
    if (patch.dueAt !== undefined) row['due_at'] = patch.dueAt;
    await this.db('deliveries').where({ tenant_id: tenantId, message_id: messageId }).update(row);
  }

  /**
   * Takes a delivery for sending (a guarded update, so of two workers holding a job for the
   * same delivery exactly one wins): it must be waiting and due (`earlyMs` of clock skew
   * allowed), or stuck in `sending` without progress for `sendingStaleMs` (its worker died).
   * True when this caller now holds it; `attempts` is counted up.
   */
  async claim(tenantId: string, messageId: string, opts: { now: number; earlyMs: number; sendingStaleMs: number }): Promise<boolean> {
    const changed = await this.db('deliveries')
      .where({ tenant_id: tenantId, message_id: messageId })
      .andWhere((w) =>
        w
          .where((q) => q.whereIn('status', WAITING).andWhere('due_at', '<=', opts.now + opts.earlyMs))
          .orWhere((q) => q.where('status', 'sending').andWhere('updated_at', '<', opts.now - opts.sendingStaleMs)),
      )
      .update({ status: 'sending', attempts: this.db.raw('attempts + 1'), updated_at: opts.now });
    return Number(changed) === 1;
  }

  /**
   * Deliveries left behind, across tenants (for the sweeper): waiting and due before
   * `dueBefore`, or in `sending` without progress since `stuckBefore`. Oldest first.
   */
  async overdue(opts: { dueBefore: number; stuckBefore: number; limit: number }): Promise<DeliveryRow[]> {
    const waiting = await this.db('deliveries').whereIn('status', WAITING).andWhere('due_at', '<', opts.dueBefore).orderBy('due_at').limit(opts.limit);
    const stuck = await this.db('deliveries').where('status', 'sending').andWhere('updated_at', '<', opts.stuckBefore).orderBy('updated_at').limit(opts.limit);
    return [...waiting, ...stuck].map(toRow);
  }

  /**
   * Marks a left-behind delivery due again, if nobody touched it since it was read (a guarded
   * update: of several nodes sweeping at once, exactly one gets true and enqueues it). A row
   * stuck in `sending` becomes `retrying`.
   */
  async rescue(row: DeliveryRow, now: number): Promise<boolean> {
    const changed = await this.db('deliveries')
      .where({ tenant_id: row.tenantId, message_id: row.messageId, status: row.status, due_at: row.dueAt, updated_at: row.updatedAt })
      .update({ status: row.status === 'sending' ? 'retrying' : row.status, due_at: now, updated_at: now });
    return Number(changed) === 1;
  }

  /** Progress of a multi-part send: parts 1…`partsSent` are at the provider. */
  async partSent(tenantId: string, messageId: string, partsSent: number, providerIds: string[]): Promise<void> {
    await this.db('deliveries')
      .where({ tenant_id: tenantId, message_id: messageId })
      .update({ parts_sent: partsSent, provider_ids: JSON.stringify(providerIds), updated_at: nowMs() });
  }
}
