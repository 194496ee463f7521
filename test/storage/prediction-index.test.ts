import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPostgres, type Db } from '../../server/storage/db.js';
import { migrateLatest } from '../../server/storage/migrate.js';
import { migrationSource } from '../../migrations/index.js';
import { storageBackends, type StorageEnv } from '../helpers/storage.js';

const INDEX = 'intent_predictions_tenant_id_model_id_index';

async function indexesOf(db: Db, table: string): Promise<string[]> {
  if (isPostgres(db)) {
    const r = await db.raw('SELECT indexname FROM pg_indexes WHERE tablename = ?', [table]);
    return (r.rows as { indexname: string }[]).map((x) => x.indexname).sort();
  }
  const rows = await db('sqlite_master').where({ type: 'index', tbl_name: table }).select('name');
  return rows.map((x: { name: string }) => x.name).sort();
}

describe.each(storageBackends)('migration 009 (prediction index) on $name', (backend) => {
  let env: StorageEnv;
  let db: Db;

  beforeAll(async () => {
    env = await backend.setup();
    db = env.db;
    await migrateLatest(db);
  });

  afterAll(async () => {
    await db?.destroy();
    await env?.cleanup();
  });

  it('leaves intent_predictions with its primary key only, and down() restores the index', async () => {
    const after = await indexesOf(db, 'intent_predictions');
    expect(after).not.toContain(INDEX);
    expect(after).toHaveLength(1); // the primary key's
    await db.migrate.down({ migrationSource });
    expect(await indexesOf(db, 'intent_predictions')).toContain(INDEX);
    expect(await migrateLatest(db)).toEqual(['009_prediction_index']);
    expect(await indexesOf(db, 'intent_predictions')).toEqual(after);
  });
});
