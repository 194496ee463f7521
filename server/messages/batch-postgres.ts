import type { Message } from '../contract/index.js';
import type { Db } from '../storage/db.js';
import { toMessage } from './repo.js';
import { BatchPlan, convKey, dedupMapKey, type BatchResult } from './batch-plan.js';
import type { AppendRequest } from './store.js';

/**
 * The PostgreSQL group commit in a constant number of round trips, whatever the batch size:
 * one dedup read, one ordered `FOR UPDATE` of the conversations, ONE `UPDATE … FROM (VALUES …)
 * RETURNING` advancing them all (the row locks serialize writers on every node, so seq has no
 * gaps), and one multi-row INSERT per 500 messages.
 */
export async function commitPostgresBatch(trx: Db, requests: AppendRequest[], now: number): Promise<BatchResult[]> {
  const plan = new BatchPlan(requests);
  const existing = new Map<string, Message>();
  const pairs = [...plan.dedupKeys()].flatMap(([tenantId, keys]) => keys.map((k) => [tenantId, k] as const));
  if (pairs.length) {
    const rows = await trx('messages').whereIn(['tenant_id', 'dedup_key'], pairs as unknown as string[][]);
    for (const r of rows) existing.set(dedupMapKey(r.tenant_id, r.dedup_key), toMessage(r));
  }
  const bumps = plan.bumps(existing);
  const lastSeq = new Map<string, number>();
  if (bumps.length) {
    // Lock in one global order first: two overlapping batches then queue instead of deadlocking.
    await trx.raw(
      `SELECT 1 FROM conversations WHERE (tenant_id, id) IN (${bumps.map(() => '(?, ?)').join(', ')}) ORDER BY tenant_id, id FOR UPDATE`,
      bumps.flatMap((b) => [b.tenantId, b.conversationId]),
    );
    const values = bumps.map(() => '(?::varchar, ?::varchar, ?::bigint)').join(', ');
    const result = await trx.raw(
      `UPDATE conversations AS c SET last_seq = c.last_seq + v.n, last_activity_at = ?, updated_at = ?
         FROM (VALUES ${values}) AS v(tenant_id, id, n)
        WHERE c.tenant_id = v.tenant_id AND c.id = v.id
        RETURNING c.tenant_id, c.id, c.last_seq`,
      [now, now, ...bumps.flatMap((b) => [b.tenantId, b.conversationId, b.n])],
    );
    for (const r of result.rows as { tenant_id: string; id: string; last_seq: number }[]) lastSeq.set(convKey(r.tenant_id, r.id), Number(r.last_seq));
  }
  const rows = plan.rows(bumps, lastSeq, now);
  for (let i = 0; i < rows.length; i += 500) await trx('messages').insert(rows.slice(i, i + 500));
  return plan.finish();
}
