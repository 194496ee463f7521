import type { Db } from '../../storage/db.js';
import { isPostgres, nowMs, toIso, withPgConnection, withSqliteConnection } from '../../storage/db.js';
import { encodeCursor, requireCursor } from '../../storage/cursor.js';
import { pgArrayLiteral } from '../../storage/pg-array.js';
import { perConnection } from '../../storage/per-connection.js';

/** One model's prediction for one customer message. */
export interface PredictionRow {
  conversationId: string;
  seq: number;
  /** 'default' for the shipped model, else an uploaded version's id. */
  modelId: string;
  intent: string;
  confidence: number;
  /** Whether this prediction routed (false: a shadow model's). */
  routed: boolean;
}

export interface TenantPredictionRow extends PredictionRow {
  tenantId: string;
}

/** An agent's word on what a customer message meant: per-tenant training data. */
export interface Feedback {
  conversationId: string;
  seq: number;
  text: string;
  label: string;
  agentId: string | null;
  createdAt: string;
}

const isCursor = (v: unknown): v is [number, string, number] =>
  Array.isArray(v) && v.length === 3 && typeof v[0] === 'number' && typeof v[1] === 'string' && typeof v[2] === 'number';

/** `recordPredictionBatch` on PostgreSQL: the rows as arrays, so the text is the same for any batch size. */
const RECORD_PREDICTIONS = `
INSERT INTO intent_predictions (tenant_id, conversation_id, seq, model_id, intent, confidence, routed, created_at)
SELECT tenant_id, conversation_id, seq, model_id, intent, confidence, routed, $8
  FROM unnest($1::varchar[], $2::varchar[], $3::bigint[], $4::varchar[], $5::varchar[], $6::float8[], $7::boolean[])
    AS v(tenant_id, conversation_id, seq, model_id, intent, confidence, routed)
ON CONFLICT (tenant_id, conversation_id, seq, model_id)
DO UPDATE SET intent = excluded.intent, confidence = excluded.confidence, routed = excluded.routed`;

const RECORD_PREDICTION_SQLITE = `
INSERT INTO intent_predictions (tenant_id, conversation_id, seq, model_id, intent, confidence, routed, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (tenant_id, conversation_id, seq, model_id)
DO UPDATE SET intent = excluded.intent, confidence = excluded.confidence, routed = excluded.routed`;

/** `recordPredictionBatch` on SQLite: one prepared row statement per connection, run for every row in one transaction. */
const sqliteWriter = perConnection((conn) => {
  const insert = conn.prepare(RECORD_PREDICTION_SQLITE);
  return conn.transaction((rows: readonly TenantPredictionRow[], now: number) => {
    for (const r of rows) insert.run(r.tenantId, r.conversationId, r.seq, r.modelId, r.intent, r.confidence, r.routed ? 1 : 0, now);
  });
});

/** Predictions of every model version and agents' corrections, for agreement stats and retraining. */
export class IntentFeedbackRepo {
  constructor(private readonly db: Db) {}

  /**
   * Many tenants' predictions in one statement (the routing worker's batches). Idempotent: a
   * routing job retried after a crash writes the same rows again.
   */
  async recordPredictionBatch(rows: readonly TenantPredictionRow[]): Promise<void> {
    if (!rows.length) return;
    // One row per key: PostgreSQL refuses to upsert the same row twice in one statement.
    const unique = new Map<string, TenantPredictionRow>();
    for (const r of rows) unique.set(`${r.tenantId}\u0000${r.conversationId}\u0000${r.seq}\u0000${r.modelId}`, r);
    const list = [...unique.values()];
    const now = nowMs();
    if (isPostgres(this.db)) {
      // The routing worker writes a batch many times a second under load: one statement text
      // for every batch size, prepared once per connection, instead of a new multi-row INSERT
      // text (one per batch size) to parse each time.
      const col = <K extends keyof TenantPredictionRow>(k: K) => pgArrayLiteral(list.map((r) => r[k]));
      const values = [col('tenantId'), col('conversationId'), col('seq'), col('modelId'), col('intent'), col('confidence'), col('routed'), now];
      await withPgConnection(this.db, (conn) => conn.query({ name: 'sb_record_predictions_v1', text: RECORD_PREDICTIONS, values }));
      return;
    }
    // SQLite: the routing worker's batches would otherwise be a new multi-row INSERT text for
    // knex to build and SQLite to compile each time (~15 % of the hub's main-thread time at 2,500 msg/s).
    await withSqliteConnection(this.db, (conn) => sqliteWriter(conn)(list, now));
  }

  async predictionsFor(tenantId: string, conversationId: string, seq: number): Promise<PredictionRow[]> {
    const rows = await this.db('intent_predictions').where({ tenant_id: tenantId, conversation_id: conversationId, seq });
    return rows.map((r) => ({ conversationId, seq, modelId: r.model_id, intent: r.intent, confidence: Number(r.confidence), routed: Boolean(r.routed) }));
  }

  /** The latest word on a message wins; returns the label it replaced, if any. */
  async upsertFeedback(tenantId: string, f: Omit<Feedback, 'createdAt'>): Promise<string | undefined> {
    const key = { tenant_id: tenantId, conversation_id: f.conversationId, seq: f.seq };
    return this.db.transaction(async (trx) => {
      const before = await trx('intent_feedback').where(key).first();
      await trx('intent_feedback')
        .insert({ ...key, text: f.text, label: f.label, agent_id: f.agentId, created_at: nowMs() })
        .onConflict(['tenant_id', 'conversation_id', 'seq'])
        .merge(['label', 'agent_id', 'created_at', 'text']);
      return before?.label as string | undefined;
    });
  }

  /** Newest first, keyset-paginated. */
  async list(tenantId: string, opts: { limit: number; cursor?: string | undefined }): Promise<{ items: Feedback[]; nextCursor: string | null }> {
    const q = this.db('intent_feedback').where({ tenant_id: tenantId });
    const after = requireCursor(opts.cursor, isCursor);
    if (after) {
      q.andWhere((w) =>
        w
          .where('created_at', '<', after[0])
          .orWhere((w2) => w2.where('created_at', after[0]).andWhere((w3) => w3.where('conversation_id', '<', after[1]).orWhere((w4) => w4.where('conversation_id', after[1]).andWhere('seq', '<', after[2])))),
      );
    }
    const rows = await q.orderBy([{ column: 'created_at', order: 'desc' }, { column: 'conversation_id', order: 'desc' }, { column: 'seq', order: 'desc' }]).limit(opts.limit + 1);
    const page = rows.slice(0, opts.limit);
    const last = page[page.length - 1];
    return {
      items: page.map(toFeedback),
      nextCursor: rows.length > opts.limit && last ? encodeCursor([Number(last.created_at), last.conversation_id, Number(last.seq)]) : null,
    };
  }

  /** Every (text, label) pair of the tenant, oldest first, in pages (for the CSV export). */
  async *trainingRows(tenantId: string, pageSize = 1000): AsyncGenerator<{ text: string; label: string }> {
    let offset = 0;
    for (;;) {
      const rows = await this.db('intent_feedback')
        .where({ tenant_id: tenantId })
        .orderBy([{ column: 'created_at' }, { column: 'conversation_id' }, { column: 'seq' }])
        .offset(offset)
        .limit(pageSize)
        .select('text', 'label');
      for (const r of rows) yield { text: r.text, label: r.label };
      if (rows.length < pageSize) return;
      offset += rows.length;
    }
  }
}

const toFeedback = (r: Record<string, unknown>): Feedback => ({
  conversationId: String(r['conversation_id']),
  seq: Number(r['seq']),
  text: String(r['text']),
  label: String(r['label']),
  agentId: (r['agent_id'] as string | null) ?? null,
  createdAt: toIso(Number(r['created_at']))!,
});
