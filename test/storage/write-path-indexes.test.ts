import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPostgres, type Db } from '../../server/storage/db.js';
import { migrateLatest } from '../../server/storage/migrate.js';
import { migrationSource } from '../../migrations/index.js';
import { MessageStore, type AppendRequest } from '../../server/messages/store.js';
import { MessageRepo } from '../../server/messages/repo.js';
import { ConversationRepo } from '../../server/conversations/repo.js';
import { storageBackends, seedTenant, type StorageEnv } from '../helpers/storage.js';

const PREDICTION_INDEX = 'intent_predictions_tenant_id_model_id_index';
const MESSAGE_ID_INDEX = 'messages_tenant_id_id_unique';

async function indexesOf(db: Db, table: string): Promise<string[]> {
  if (isPostgres(db)) {
    const r = await db.raw('SELECT indexname FROM pg_indexes WHERE tablename = ?', [table]);
    return (r.rows as { indexname: string }[]).map((x) => x.indexname).sort();
  }
  const rows = await db('sqlite_master').where({ type: 'index', tbl_name: table }).select('name');
  return rows.map((x: { name: string }) => x.name).sort();
}

/** Undoes the newest migrations, one at a time, down to `names` (newest first); checks; migrates back up. */
async function downAndUp(db: Db, names: string[], check: () => Promise<void>): Promise<void> {
  for (const name of names) {
    const [, undone] = (await db.migrate.down({ migrationSource })) as [number, string[]];
    expect(undone).toEqual([name]);
  }
  await check();
  expect(await migrateLatest(db)).toEqual([...names].reverse());
}

describe.each(storageBackends)('write-path index migrations on $name', (backend) => {
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

  it('010 leaves messages with its primary key and the idempotency index; down() restores the id index', async () => {
    const after = await indexesOf(db, 'messages');
    expect(after).not.toContain(MESSAGE_ID_INDEX);
    expect(after).toContain('messages_tenant_id_dedup_key_unique');
    expect(after).toHaveLength(2); // with the primary key's
    await downAndUp(db, ['010_message_id_index'], async () => {
      expect(await indexesOf(db, 'messages')).toContain(MESSAGE_ID_INDEX);
    });
    expect(await indexesOf(db, 'messages')).toEqual(after);
  });

  it('010 keeps every read path working without the id index: history, a message by seq, idempotent appends', async () => {
    const { tenantId, inboxId, contactId } = await seedTenant(db);
    const conversation = await new ConversationRepo(db).create(tenantId, { inboxId, channel: 'web', contactId });
    const store = new MessageStore(db);
    const req = (body: string, dedupKey: string): AppendRequest => ({
      tenantId, conversationId: conversation.id, direction: 'inbound', private: false,
      sender: { type: 'contact', id: contactId, name: 'Ada' }, body, attachments: [], channel: 'web', dedupKey,
    });
    const key = `c:${crypto.randomUUID()}`;
    const first = await store.append(req('hello', key));
    const again = await store.append(req('hello', key));
    await store.append(req('second', `c:${crypto.randomUUID()}`));
    expect(again.duplicate).toBe(true);
    expect(again.message.id).toBe(first.message.id);
    const repo = new MessageRepo(db);
    expect((await repo.get(tenantId, conversation.id, first.message.seq))?.id).toBe(first.message.id);
    expect((await repo.byDedupKey(tenantId, key))?.seq).toBe(first.message.seq);
    const page = await repo.range(tenantId, conversation.id, { limit: 10, includePrivate: false });
    expect(page.messages.map((m) => m.body)).toEqual(['hello', 'second']);
  });

  it('009 leaves intent_predictions with its primary key only; down() restores the index', async () => {
    const after = await indexesOf(db, 'intent_predictions');
    expect(after).not.toContain(PREDICTION_INDEX);
    expect(after).toHaveLength(1); // the primary key's
    await downAndUp(db, ['010_message_id_index', '009_prediction_index'], async () => {
      expect(await indexesOf(db, 'intent_predictions')).toContain(PREDICTION_INDEX);
    });
    expect(await indexesOf(db, 'intent_predictions')).toEqual(after);
  });
});
