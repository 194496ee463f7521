import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { withSqliteConnection, type Db } from '../../server/storage/db.js';
import { migrateLatest } from '../../server/storage/migrate.js';
import { IntentFeedbackRepo, type TenantPredictionRow } from '../../server/intent/routing/feedback.js';
import { TenantRepo } from '../../server/tenants/repo.js';
import { storageBackends, type StorageEnv } from '../helpers/storage.js';

describe.each(storageBackends)('intent prediction batches on $name', (backend) => {
  let env: StorageEnv;
  let db: Db;
  let repo: IntentFeedbackRepo;
  let acme: string;
  let globex: string;

  beforeAll(async () => {
    env = await backend.setup();
    db = env.db;
    await migrateLatest(db);
    acme = (await new TenantRepo(db).create('Acme')).id;
    globex = (await new TenantRepo(db).create('Globex')).id;
    repo = new IntentFeedbackRepo(db);
  });

  afterAll(async () => {
    await db?.destroy();
    await env?.cleanup();
  });

  const row = (tenantId: string, conversationId: string, seq: number, modelId: string, intent: string, confidence: number, routed: boolean): TenantPredictionRow => ({
    tenantId,
    conversationId,
    seq,
    modelId,
    intent,
    confidence,
    routed,
  });

  it('stores many tenants, conversations and models in one batch, each row under its own tenant', async () => {
    await repo.recordPredictionBatch([
      row(acme, 'c1', 1, 'default', 'order_status', 0.92, true),
      row(acme, 'c1', 1, 'shadow-v2', 'refund', 0.4, false),
      row(acme, 'c2', 7, 'default', 'greeting', 0.61, true),
      row(globex, 'c1', 1, 'default', 'cancel', 0.33, true),
    ]);
    expect(await repo.predictionsFor(acme, 'c1', 1)).toEqual(
      expect.arrayContaining([
        { conversationId: 'c1', seq: 1, modelId: 'default', intent: 'order_status', confidence: expect.closeTo(0.92, 5), routed: true },
        { conversationId: 'c1', seq: 1, modelId: 'shadow-v2', intent: 'refund', confidence: expect.closeTo(0.4, 5), routed: false },
      ]),
    );
    expect(await repo.predictionsFor(acme, 'c1', 1)).toHaveLength(2);
    expect(await repo.predictionsFor(acme, 'c2', 7)).toMatchObject([{ modelId: 'default', intent: 'greeting', routed: true }]);
    // Same conversation id and seq in another tenant: that tenant's row only.
    expect(await repo.predictionsFor(globex, 'c1', 1)).toMatchObject([{ modelId: 'default', intent: 'cancel', routed: true }]);
  });

  it('is idempotent: a retried batch rewrites its rows, and a key repeated within a batch keeps its last row', async () => {
    const batch = [row(acme, 'c3', 2, 'default', 'refund', 0.5, true), row(acme, 'c3', 3, 'default', 'greeting', 0.8, true)];
    await repo.recordPredictionBatch(batch);
    await repo.recordPredictionBatch([...batch, row(acme, 'c3', 2, 'default', 'order_status', 0.7, true)]);
    expect(await repo.predictionsFor(acme, 'c3', 2)).toEqual([
      { conversationId: 'c3', seq: 2, modelId: 'default', intent: 'order_status', confidence: expect.closeTo(0.7, 5), routed: true },
    ]);
    expect(await repo.predictionsFor(acme, 'c3', 3)).toMatchObject([{ intent: 'greeting' }]);
    expect(await db('intent_predictions').where({ tenant_id: acme, conversation_id: 'c3' })).toHaveLength(2);
  });

  it('writes batches of any size with the same statement (one row, then 300)', async () => {
    await repo.recordPredictionBatch([row(globex, 'big', 0, 'default', 'greeting', 0.1, true)]);
    await repo.recordPredictionBatch(Array.from({ length: 300 }, (_, i) => row(globex, 'big', i + 1, 'default', i % 2 ? 'refund' : 'cancel', i / 300, true)));
    const rows = await db('intent_predictions').where({ tenant_id: globex, conversation_id: 'big' }).orderBy('seq');
    expect(rows.map((r) => Number(r.seq))).toEqual(Array.from({ length: 301 }, (_, i) => i));
    expect(rows[300]).toMatchObject({ intent: 'refund', model_id: 'default' });
    expect(Number(rows[300].created_at)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('writes a batch whole or not at all', async () => {
    // The second row has no intent (a NOT NULL column): the database refuses it, and the first row goes too.
    await expect(repo.recordPredictionBatch([row(acme, 'c4', 1, 'default', 'refund', 0.5, true), row(acme, 'c4', 2, 'default', null as unknown as string, 0.5, true)])).rejects.toThrow();
    expect(await db('intent_predictions').where({ tenant_id: acme, conversation_id: 'c4' })).toHaveLength(0);
  });

  // SQLite only (PostgreSQL's statement is named and prepared by the server): not registered at
  // all on PostgreSQL rather than reported as skipped.
  if (backend.name === 'sqlite') it('compiles its statement once, not once per batch (SQLite)', async () => {
    await repo.recordPredictionBatch([row(acme, 'warm', 1, 'default', 'refund', 0.5, true)]);
    const prepare = await withSqliteConnection(db, (conn) => vi.spyOn(conn, 'prepare'));
    try {
      await repo.recordPredictionBatch([row(acme, 'once', 1, 'default', 'refund', 0.5, true)]);
      await repo.recordPredictionBatch(Array.from({ length: 40 }, (_, i) => row(acme, 'once', i + 2, 'default', 'greeting', 0.5, false)));
      expect(prepare).not.toHaveBeenCalled();
    } finally {
      prepare.mockRestore();
    }
    expect(await db('intent_predictions').where({ tenant_id: acme, conversation_id: 'once' })).toHaveLength(41);
  });

  it('does nothing for an empty batch', async () => {
    const before = await db('intent_predictions').count({ n: '*' });
    await repo.recordPredictionBatch([]);
    expect(await db('intent_predictions').count({ n: '*' })).toEqual(before);
  });
});
