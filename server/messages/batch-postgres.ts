import type { Message } from '../contract/index.js';
import type { Db, PgQueryable } from '../storage/db.js';
import { pgArrayLiteral } from '../storage/pg-array.js';
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

/**
 * One statement, so one round trip and one implicit transaction (committed, with its WAL flush,
 * before PostgreSQL answers): lock the batch's conversations in a global order (each row by its
 * primary key, in sorted order, so the plan never scans the whole table), advance each by
 * its number of new messages, insert the messages numbered from the new last seq. Arrays
 * (`unnest`) keep the text the same for every batch size, so it is prepared once per connection.
 * A conversation that does not exist is neither advanced nor written.
 */
const ONE_STATEMENT_COMMIT = `
WITH v AS (
  SELECT * FROM unnest($1::varchar[], $2::varchar[], $3::int[], $4::varchar[], $5::varchar[], $6::boolean[], $7::varchar[],
                       $8::varchar[], $9::varchar[], $10::text[], $11::text[], $12::varchar[], $13::varchar[], $14::bigint[], $15::varchar[])
    AS v(tenant_id, conversation_id, ord, id, direction, private, sender_type, sender_id, sender_name, body, attachments, channel, dedup_key,
         reply_to_seq, provider_message_id)
),
n AS (SELECT tenant_id, conversation_id, count(*)::bigint AS n FROM v GROUP BY tenant_id, conversation_id),
locked AS MATERIALIZED (
  SELECT l.tenant_id, l.id
    FROM (SELECT tenant_id, conversation_id FROM n ORDER BY tenant_id, conversation_id) s,
         LATERAL (SELECT c.tenant_id, c.id FROM conversations c WHERE c.tenant_id = s.tenant_id AND c.id = s.conversation_id FOR UPDATE) l
),
bump AS (
  UPDATE conversations c SET last_seq = c.last_seq + n.n, last_activity_at = $16, updated_at = $16
    FROM n, locked l
   WHERE c.tenant_id = n.tenant_id AND c.id = n.conversation_id AND l.tenant_id = c.tenant_id AND l.id = c.id
  RETURNING c.tenant_id, c.id, c.last_seq, n.n
),
ins AS (
  INSERT INTO messages (tenant_id, conversation_id, seq, id, direction, private, sender_type, sender_id, sender_name, body, attachments, channel, dedup_key,
                        reply_to_seq, provider_message_id, created_at)
  SELECT v.tenant_id, v.conversation_id, b.last_seq - b.n + v.ord, v.id, v.direction, v.private, v.sender_type, v.sender_id,
         v.sender_name, v.body, v.attachments, v.channel, v.dedup_key, v.reply_to_seq, v.provider_message_id, $16
    FROM v JOIN bump b ON b.tenant_id = v.tenant_id AND b.id = v.conversation_id
  RETURNING 1
)
SELECT tenant_id, id, last_seq FROM bump`;

/**
 * The optimistic PostgreSQL group commit: one prepared statement, no dedup read. It assumes no
 * idempotency key of the batch is stored yet (repeats within the batch are answered from their
 * first occurrence); a key stored before makes the statement fail with a unique violation, and
 * nothing of the batch is written — the caller then runs `commitPostgresBatch`, whose dedup
 * read returns the originals.
 */
export async function commitPostgresBatchOneStatement(conn: PgQueryable, requests: AppendRequest[], now: number): Promise<BatchResult[]> {
  const plan = new BatchPlan(requests);
  const bumps = plan.bumps(new Map());
  if (!bumps.length) return plan.finish();
  const drafts = plan.drafts(bumps, now);
  const cols: unknown[][] = Array.from({ length: 15 }, () => new Array(drafts.length));
  drafts.forEach((d, i) => {
    const r = d.row;
    cols[0]![i] = r['tenant_id'];
    cols[1]![i] = r['conversation_id'];
    cols[2]![i] = d.ord;
    cols[3]![i] = r['id'];
    cols[4]![i] = r['direction'];
    cols[5]![i] = r['private'];
    cols[6]![i] = r['sender_type'];
    cols[7]![i] = r['sender_id'];
    cols[8]![i] = r['sender_name'];
    cols[9]![i] = r['body'];
    cols[10]![i] = r['attachments'];
    cols[11]![i] = r['channel'];
    cols[12]![i] = r['dedup_key'];
    cols[13]![i] = r['reply_to_seq'];
    cols[14]![i] = r['provider_message_id'];
  });
  const values = [...cols.map(pgArrayLiteral), now];
  const result = await conn.query<{ tenant_id: string; id: string; last_seq: number | string }>({ name: 'sb_commit_batch_v3', text: ONE_STATEMENT_COMMIT, values });
  const lastSeq = new Map<string, number>();
  for (const r of result.rows) lastSeq.set(convKey(r.tenant_id, r.id), Number(r.last_seq));
  plan.settle(bumps, drafts, lastSeq);
  return plan.finish();
}
