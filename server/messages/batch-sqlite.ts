import type Database from 'better-sqlite3';
import type { Message } from '../contract/index.js';
import { toMessage } from './repo.js';
import { BatchPlan, dedupMapKey, type BatchResult } from './batch-plan.js';
import type { AppendRequest } from './store.js';
import { perConnection } from '../storage/per-connection.js';

const COLUMNS = ['tenant_id', 'conversation_id', 'seq', 'id', 'direction', 'private', 'sender_type', 'sender_id', 'sender_name', 'body', 'attachments', 'channel', 'dedup_key', 'reply_to_seq', 'provider_message_id', 'created_at'];

/** Per connection: the three statements and the transaction over them, compiled once. */
const committer = perConnection((conn) => {
  const dedup = conn.prepare('SELECT * FROM messages WHERE tenant_id = ? AND dedup_key = ?');
  const bump = conn.prepare('UPDATE conversations SET last_seq = last_seq + ?, last_activity_at = ?, updated_at = ? WHERE tenant_id = ? AND id = ? RETURNING last_seq');
  const insert = conn.prepare(`INSERT INTO messages (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})`);
  const tx = conn.transaction((reqs: AppendRequest[], at: number) => {
    const plan = new BatchPlan(reqs);
    const existing = new Map<string, Message>();
    for (const [tenantId, keys] of plan.dedupKeys()) {
      for (const key of keys) {
        const row = dedup.get(tenantId, key) as Record<string, unknown> | undefined;
        if (row) existing.set(dedupMapKey(tenantId, key), toMessage(row));
      }
    }
    const bumps = plan.bumps(existing);
    const lastSeq = new Map<string, number>();
    for (const b of bumps) {
      const row = bump.get(b.n, at, at, b.tenantId, b.conversationId) as { last_seq: number } | undefined;
      if (row) lastSeq.set(b.key, Number(row.last_seq));
    }
    for (const row of plan.rows(bumps, lastSeq, at)) {
      insert.run(...COLUMNS.map((c) => (c === 'private' ? (row[c] ? 1 : 0) : row[c])));
    }
    return plan.finish();
  });
  return (reqs: AppendRequest[], at: number): BatchResult[] => tx.immediate(reqs, at);
});

/**
 * The SQLite group commit: one synchronous `BEGIN IMMEDIATE` transaction with cached prepared
 * statements. better-sqlite3 is synchronous anyway, so running the whole batch in one call
 * avoids an async round trip (and a statement compile) per query. IMMEDIATE takes the write
 * lock first, so a second process waits for it instead of failing mid-transaction.
 */
export function commitSqliteBatch(conn: Database.Database, requests: AppendRequest[], now: number): BatchResult[] {
  return committer(conn)(requests, now);
}
