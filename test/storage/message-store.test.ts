import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db } from '../../server/storage/db.js';
import { migrateLatest } from '../../server/storage/migrate.js';
import { MessageStore, type AppendRequest } from '../../server/messages/store.js';
import { MessageRepo } from '../../server/messages/repo.js';
import { TenantRepo } from '../../server/tenants/repo.js';
import { ConversationRepo } from '../../server/conversations/repo.js';
import { AppError } from '../../server/errors.js';
import { createTestDatabase, type TestDatabase } from '../helpers/pg.js';
import { seedTenant, storageBackends, type StorageEnv } from '../helpers/storage.js';
import { ROOT } from '../helpers/server.js';

function runWorker(args: string[]): Promise<{ duplicates: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/helpers/append-worker.ts'), ...args], { cwd: ROOT });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`worker exited ${code}: ${err}`))));
  });
}

describe.each(storageBackends)('message store on $name', (backend) => {
  let env: StorageEnv;
  let db: Db;
  let tenantId: string;
  let inboxId: string;
  let contactId: string;
  const conversations = () => new ConversationRepo(db);

  const newConversation = async () => (await conversations().create(tenantId, { inboxId, channel: 'web', contactId })).id;
  const request = (conversationId: string, body: string, dedupKey: string | null = null, extra: Partial<AppendRequest> = {}): AppendRequest => ({
    tenantId,
    conversationId,
    direction: 'inbound',
    private: false,
    sender: { type: 'contact', id: contactId, name: 'Ada' },
    body,
    attachments: [],
    channel: 'web',
    dedupKey,
    ...extra,
  });
  const seqsOf = async (conversationId: string) =>
    (await db('messages').where({ tenant_id: tenantId, conversation_id: conversationId }).orderBy('seq')).map((r) => Number(r.seq));

  beforeAll(async () => {
    env = await backend.setup();
    db = env.db;
    ({ tenantId, inboxId, contactId } = await seedTenant(db));
  });

  afterAll(async () => {
    await db?.destroy();
    await env?.cleanup();
  });

  it('runs the migrations again as a no-op', async () => {
    expect(await migrateLatest(db)).toEqual([]);
  });

  it('assigns seq 1..n in append order and stores the fields', async () => {
    const store = new MessageStore(db);
    const id = await newConversation();
    const results = await Promise.all(['a', 'b', 'c'].map((b) => store.append(request(id, b))));
    expect(results.map((r) => r.message.seq)).toEqual([1, 2, 3]);
    expect(results.map((r) => r.message.body)).toEqual(['a', 'b', 'c']);
    expect(results.every((r) => !r.duplicate)).toBe(true);
    expect(await seqsOf(id)).toEqual([1, 2, 3]);
    expect((await conversations().get(tenantId, id))!.lastSeq).toBe(3);
    const stored = (await new MessageRepo(db).range(tenantId, id, { after: 0, limit: 10, includePrivate: true })).messages[0]!;
    expect(stored).toMatchObject({ conversationId: id, seq: 1, direction: 'inbound', private: false, sender: { type: 'contact', id: contactId, name: 'Ada' }, channel: 'web', attachments: [] });
    expect(new Date(stored.createdAt).toISOString()).toBe(stored.createdAt);
  });

  it('returns the original message for a repeated dedup key and stores nothing new', async () => {
    const store = new MessageStore(db);
    const id = await newConversation();
    const first = await store.append(request(id, 'hello', 'client:1'));
    const again = await store.append(request(id, 'hello (retry)', 'client:1'));
    expect(again.duplicate).toBe(true);
    expect(again.message).toEqual(first.message);
    // Duplicates inside one batch collapse too.
    const [x, y] = await Promise.all([store.append(request(id, 'x', 'client:2')), store.append(request(id, 'x', 'client:2'))]);
    expect(x!.message.id).toBe(y!.message.id);
    expect([x!.duplicate, y!.duplicate].sort()).toEqual([false, true]);
    expect(await seqsOf(id)).toEqual([1, 2]);
  });

  it('group-commits concurrent appends into few transactions', async () => {
    const batches: number[] = [];
    const store = new MessageStore(db, { metrics: { onBatch: (size) => batches.push(size) } });
    const ids = await Promise.all([newConversation(), newConversation(), newConversation()]);
    await Promise.all(Array.from({ length: 300 }, (_, i) => store.append(request(ids[i % 3]!, `m${i}`))));
    expect(batches.reduce((a, b) => a + b, 0)).toBe(300);
    expect(batches.length).toBeLessThan(10);
    for (const id of ids) expect(await seqsOf(id)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
  });

  it('starts an append after a quiet spell at once and gathers a steady stream into batches no closer than minBatchIntervalMs', async () => {
    // A long interval keeps the timing far from this machine's noise: the first append commits
    // at once, the twenty that trickle in over the next ~60 ms wait for one shared batch.
    const batches: number[] = [];
    const store = new MessageStore(db, { minBatchIntervalMs: 300, metrics: { onBatch: (size) => batches.push(size) } });
    const id = await newConversation();
    const t0 = performance.now();
    await store.append(request(id, 'first'));
    expect(performance.now() - t0).toBeLessThan(250);
    const trickle: Promise<unknown>[] = [];
    for (let i = 0; i < 20; i++) {
      trickle.push(store.append(request(id, `t${i}`)));
      await new Promise((r) => setTimeout(r, 3));
    }
    await Promise.all(trickle);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(290);
    expect(batches[0]).toBe(1);
    expect(batches.length).toBeLessThanOrEqual(3);
    expect(batches.reduce((a, b) => a + b, 0)).toBe(21);
    expect(await seqsOf(id)).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
  });

  it('fails only the appends of an unknown conversation in a batch', async () => {
    const store = new MessageStore(db);
    const id = await newConversation();
    const [ok, bad] = await Promise.allSettled([store.append(request(id, 'fine')), store.append(request('no-such-conversation', 'lost'))]);
    expect(ok.status).toBe('fulfilled');
    expect(bad.status).toBe('rejected');
    expect(((bad as PromiseRejectedResult).reason as AppError).code).toBe('SB_ERR_CONVERSATION_NOT_FOUND');
    expect(await seqsOf(id)).toEqual([1]);
  });

  it('fails only the bad append when the database rejects one row of a batch', async () => {
    const store = new MessageStore(db);
    const id = await newConversation();
    const bad = { ...request(id, 'x'), body: null as unknown as string };
    const settled = await Promise.allSettled([store.append(request(id, 'one')), store.append(bad), store.append(request(id, 'two'))]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await seqsOf(id)).toEqual([1, 2]);
    const bodies = (await new MessageRepo(db).range(tenantId, id, { after: 0, limit: 10, includePrivate: true })).messages.map((m) => m.body);
    expect(bodies).toEqual(['one', 'two']);
  });

  it('keeps tenants apart: the same conversation id in another tenant is not found', async () => {
    const store = new MessageStore(db);
    const id = await newConversation();
    const other = (await new TenantRepo(db).create('Other')).id;
    await expect(store.append({ ...request(id, 'cross'), tenantId: other })).rejects.toMatchObject({ code: 'SB_ERR_CONVERSATION_NOT_FOUND' });
    expect(await seqsOf(id)).toEqual([]);
  });

  it('pages history forwards and backwards and hides private notes from visitors', async () => {
    const store = new MessageStore(db);
    const repo = new MessageRepo(db);
    const id = await newConversation();
    for (let i = 1; i <= 25; i++) await store.append(request(id, `m${i}`, null, i % 5 === 0 ? { private: true, direction: 'outbound' } : {}));
    const latest = await repo.range(tenantId, id, { limit: 10, includePrivate: true });
    expect(latest.messages.map((m) => m.seq)).toEqual([16, 17, 18, 19, 20, 21, 22, 23, 24, 25]);
    expect(latest.more).toBe(true);
    const older = await repo.range(tenantId, id, { before: 16, limit: 10, includePrivate: true });
    expect(older.messages.map((m) => m.seq)).toEqual([6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    const forward = await repo.range(tenantId, id, { after: 20, limit: 10, includePrivate: true });
    expect(forward.messages.map((m) => m.seq)).toEqual([21, 22, 23, 24, 25]);
    expect(forward.more).toBe(false);
    const visitor = await repo.range(tenantId, id, { after: 0, limit: 100, includePrivate: false });
    expect(visitor.messages.map((m) => m.seq)).not.toContain(5);
    expect(visitor.messages).toHaveLength(20);
  });

  it('8 writer processes appending to one conversation leave no gap and no duplicate seq', { timeout: 120_000 }, async () => {
    const id = await newConversation();
    const perWorker = 60;
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, w) => runWorker([env.databaseUrl ?? '-', env.dataDir, tenantId, id, String(perWorker), String(w)])),
    );
    const total = 8 * perWorker;
    expect(await seqsOf(id)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect((await conversations().get(tenantId, id))!.lastSeq).toBe(total);
    // Every retry was recognised as a duplicate, and every original was stored exactly once.
    expect(results.reduce((a, r) => a + r.duplicates, 0)).toBe(8 * Math.ceil(perWorker / 10));
    const bodies = (await db('messages').where({ tenant_id: tenantId, conversation_id: id })).map((r) => r.body as string);
    expect(new Set(bodies).size).toBe(total);
  });
});

describe('message table on PostgreSQL', () => {
  let tdb: TestDatabase;
  let db: Db;
  beforeAll(async () => {
    tdb = await createTestDatabase();
    db = createDb({ databaseUrl: tdb.url, dataDir: os.tmpdir() });
    await migrateLatest(db);
  });
  afterAll(async () => {
    await db?.destroy();
    await tdb?.drop();
  });

  it('is hash-partitioned by tenant', async () => {
    const r = await db.raw(`select partstrat, partattrs::text from pg_partitioned_table where partrelid = 'messages'::regclass`);
    expect(r.rows[0]).toMatchObject({ partstrat: 'h' });
    const parts = await db.raw(`select count(*)::int as n from pg_inherits where inhparent = 'messages'::regclass`);
    expect(parts.rows[0].n).toBeGreaterThan(1);
    const key = await db.raw(`select a.attname from pg_partitioned_table p join pg_attribute a on a.attrelid = p.partrelid and a.attnum = p.partattrs[0] where p.partrelid = 'messages'::regclass`);
    expect(key.rows[0].attname).toBe('tenant_id');
  });
});
