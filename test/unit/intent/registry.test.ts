import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadIntentModelFiles, type IntentPredictor, type ModelFiles } from '../../../server/intent/model.js';
import { trainIntentModel } from '../../../server/intent/pipeline.js';
import { conversationBucket, ModelRegistry, pickCandidate } from '../../../server/intent/versions/registry.js';
import { IntentModelRepo, type IntentModelRecord } from '../../../server/intent/versions/repo.js';
import { createDb, type Db } from '../../../server/storage/db.js';
import { migrateLatest } from '../../../server/storage/migrate.js';
import { TenantRepo } from '../../../server/tenants/repo.js';
import { syntheticIntents } from './synthetic.js';

/** A tiny model's files; `extraLabel` adds an intent so models can be told apart by their labels. */
function tinyModel(seed: number, extraLabel?: string): ModelFiles {
  const data = syntheticIntents();
  if (extraLabel) {
    for (const t of ['hello there', 'hi, good morning', 'hey', '你好']) {
      data.texts.push(t);
      data.labels.push(extraLabel);
    }
  }
  const trained = trainIntentModel(data, { valSplit: 0, epochs: 4, seed, featurizer: { buckets: 1 << 10 } });
  return new Map([
    ['model.json', Buffer.from(JSON.stringify(trained.manifest))],
    ['model.onnx', trained.onnx],
  ]);
}

/** A logger whose error lines the test can read. */
function capturingLogger() {
  const lines: { level: number; msg: string; modelId?: string }[] = [];
  const log = pino({ level: 'warn' }, { write: (s: string) => void lines.push(JSON.parse(s)) });
  return { log, errors: () => lines.filter((l) => l.level >= 50) };
}

describe('ModelRegistry (SQLite)', () => {
  let dataDir: string;
  let db: Db;
  let repo: IntentModelRepo;
  let defaultModel: IntentPredictor;
  let plainFiles: ModelFiles;
  let greetingFiles: ModelFiles;
  let tenantId: string;
  let registries: ModelRegistry[] = [];

  const registry = (opts?: ConstructorParameters<typeof ModelRegistry>[1]) => {
    const { log, errors } = capturingLogger();
    const r = new ModelRegistry({ repo, defaultModel, log }, { configTtlMs: 60_000, ...opts });
    registries.push(r);
    return { r, errors };
  };
  const upload = (name: string, files = plainFiles) =>
    repo.create(tenantId, { name, kind: 'linear', labels: JSON.parse(Buffer.from(files.get('model.json')!).toString()).labels, manifest: {}, files, createdBy: null });

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-registry-'));
    db = createDb({ dataDir });
    await migrateLatest(db);
    repo = new IntentModelRepo(db);
    plainFiles = tinyModel(1);
    greetingFiles = tinyModel(2, 'greeting');
    defaultModel = await loadIntentModelFiles(tinyModel(3));
  });

  beforeEach(async () => {
    // A fresh tenant per test: each starts with no uploaded models.
    tenantId = (await new TenantRepo(db).create(`t-${crypto.randomUUID()}`)).id;
  });

  afterEach(async () => {
    await Promise.all(registries.map((r) => r.close()));
    registries = [];
  });

  afterAll(async () => {
    await defaultModel.close();
    await db.destroy();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('routes with the shipped default when the tenant has uploaded nothing, and with the active upload once there is one', async () => {
    const { r } = registry();
    expect(await r.select(tenantId, 'c1')).toEqual({ routing: { id: 'default', model: defaultModel }, shadows: [] });
    const a = await upload('A');
    await repo.setMode(tenantId, a.id, 'active');
    r.invalidate(tenantId);
    const { routing } = await r.select(tenantId, 'c1');
    expect(routing?.id).toBe(a.id);
    expect((await routing!.model.predict('where is my new card')).intent).toBe('card_arrival');
  });

  it('splits conversations between active and candidate by a stable hash: about half each at 0.5, the same conversation always the same model', async () => {
    const { r } = registry();
    const a = await upload('A');
    const b = await upload('B');
    await repo.setMode(tenantId, a.id, 'active');
    await repo.setMode(tenantId, b.id, 'candidate', 0.5);
    const ids = Array.from({ length: 1000 }, () => crypto.randomUUID());
    const picks = await Promise.all(ids.map(async (id) => (await r.select(tenantId, id)).routing!.id));
    const toB = picks.filter((id) => id === b.id).length;
    expect(picks.every((id) => id === a.id || id === b.id)).toBe(true);
    // Binomial(1000, 0.5): ±70 is more than 4 standard deviations.
    expect(toB).toBeGreaterThan(430);
    expect(toB).toBeLessThan(570);

    // Same conversation → same model, on this registry and on a fresh one (another node).
    const other = registry().r;
    for (const [i, id] of ids.slice(0, 50).entries()) {
      expect((await r.select(tenantId, id)).routing!.id).toBe(picks[i]);
      expect((await other.select(tenantId, id)).routing!.id).toBe(picks[i]);
      expect(conversationBucket(id) < 0.5 ? b.id : a.id).toBe(picks[i]);
    }
  });

  it('lays several candidates end to end on [0, 1) in upload order', () => {
    const c = (id: string, split: number) => ({ id, split }) as IntentModelRecord;
    const candidates = [c('x', 0.2), c('y', 0.3)];
    expect(pickCandidate(candidates, 0)?.id).toBe('x');
    expect(pickCandidate(candidates, 0.1999)?.id).toBe('x');
    expect(pickCandidate(candidates, 0.2)?.id).toBe('y');
    expect(pickCandidate(candidates, 0.4999)?.id).toBe('y');
    expect(pickCandidate(candidates, 0.5)).toBeUndefined();
    for (const id of ['a', 'b', 'conversation-1']) {
      const bucket = conversationBucket(id);
      expect(bucket).toBeGreaterThanOrEqual(0);
      expect(bucket).toBeLessThan(1);
      expect(conversationBucket(id)).toBe(bucket);
    }
  });

  it('returns shadow models beside the routing model; they never route', async () => {
    const { r } = registry();
    const s = await upload('shadow');
    await repo.setMode(tenantId, s.id, 'shadow');
    for (const id of ['c1', 'c2', 'c3']) {
      const { routing, shadows } = await r.select(tenantId, id);
      expect(routing?.id).toBe('default');
      expect(shadows.map((m) => m.id)).toEqual([s.id]);
    }
    const [shadow] = (await r.select(tenantId, 'c1')).shadows;
    expect((await shadow!.model.predict('reset the old password')).intent).toBe('password');
  });

  it('falls back to the previous routing choice when a stored model is corrupt, logging it once', async () => {
    const { r, errors } = registry();
    const a = await upload('A');
    const b = await upload('B');
    await repo.setMode(tenantId, a.id, 'active');
    await repo.setMode(tenantId, b.id, 'candidate', 0.99);
    // Bytes corrupted in the database after upload (where validation can no longer stop them).
    await db('intent_model_files').where({ tenant_id: tenantId, model_id: b.id, name: 'model.onnx' }).update({ bytes: Buffer.from('not an onnx graph') });

    // The corrupt candidate is skipped: the active model keeps serving its share.
    for (const id of ['c1', 'c2', 'c3', 'c4']) expect((await r.select(tenantId, id)).routing?.id).toBe(a.id);
    expect(errors()).toHaveLength(1);
    expect(errors()[0]).toMatchObject({ modelId: b.id, msg: expect.stringContaining('failed to load') });

    // A corrupt active model falls back to the shipped default.
    await db('intent_model_files').where({ tenant_id: tenantId, model_id: a.id, name: 'model.json' }).update({ bytes: Buffer.from('{') });
    const fresh = registry();
    await repo.setMode(tenantId, b.id, 'inactive');
    for (const id of ['c1', 'c2']) expect((await fresh.r.select(tenantId, id)).routing?.id).toBe('default');
    expect(fresh.errors()).toHaveLength(1);
    // Its labels are then the default's: that is what routes.
    expect(await fresh.r.labels(tenantId)).toEqual([...defaultModel.labels].sort());
  });

  it('skips a corrupt shadow without failing select', async () => {
    const { r, errors } = registry();
    const s = await upload('shadow');
    await repo.setMode(tenantId, s.id, 'shadow');
    await db('intent_model_files').where({ tenant_id: tenantId, model_id: s.id, name: 'model.onnx' }).delete();
    expect(await r.select(tenantId, 'c1')).toEqual({ routing: { id: 'default', model: defaultModel }, shadows: [] });
    expect(errors()).toHaveLength(1);
  });

  it('keeps the tenant configuration for its TTL; invalidate picks a change up at once', async () => {
    const { r } = registry({ configTtlMs: 60_000 });
    const a = await upload('A');
    expect((await r.select(tenantId, 'c1')).routing?.id).toBe('default');
    await repo.setMode(tenantId, a.id, 'active');
    expect((await r.select(tenantId, 'c1')).routing?.id).toBe('default');
    r.invalidate(tenantId);
    expect((await r.select(tenantId, 'c1')).routing?.id).toBe(a.id);

    const short = registry({ configTtlMs: 20 }).r;
    expect((await short.select(tenantId, 'c1')).routing?.id).toBe(a.id);
    await repo.setMode(tenantId, 'default', 'active');
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect((await short.select(tenantId, 'c1')).routing?.id).toBe('default');
  });

  it('keeps at most maxLoaded models open and closes the evicted ones', async () => {
    const { r } = registry({ maxLoaded: 1, closeGraceMs: 0 });
    const x = await upload('X');
    const y = await upload('Y');
    await repo.setMode(tenantId, x.id, 'active');
    const first = (await r.select(tenantId, 'c1')).routing!;
    expect(first.id).toBe(x.id);
    const closed = vi.spyOn(first.model, 'close');
    await repo.setMode(tenantId, y.id, 'shadow');
    r.invalidate(tenantId);
    // Loading the shadow evicts the routing model (one slot); the next select loads it again.
    await r.select(tenantId, 'c1');
    await vi.waitFor(() => expect(closed).toHaveBeenCalledTimes(1));
    const again = (await r.select(tenantId, 'c1')).routing!;
    expect(again.id).toBe(x.id);
    expect(again.model).not.toBe(first.model);
  });

  it('offers the union of the routing models’ labels, sorted, for corrections', async () => {
    const { r } = registry();
    expect(await r.labels(tenantId)).toEqual(['card_arrival', 'password', 'refund']);
    const g = await upload('greeting', greetingFiles);
    await repo.setMode(tenantId, g.id, 'candidate', 0.3);
    r.invalidate(tenantId);
    expect(await r.labels(tenantId)).toEqual(['card_arrival', 'greeting', 'password', 'refund']);
    // A shadow's labels are not offered: it does not route.
    await repo.setMode(tenantId, g.id, 'shadow');
    r.invalidate(tenantId);
    expect(await r.labels(tenantId)).toEqual(['card_arrival', 'password', 'refund']);
  });
});

describe('IntentModelRepo (SQLite)', () => {
  let dataDir: string;
  let db: Db;
  let repo: IntentModelRepo;
  let tenantId: string;
  const files: ModelFiles = new Map([
    ['model.json', Buffer.from('{"labels":["a","b"]}')],
    ['model.onnx', new Uint8Array([1, 2, 3, 0, 255])],
  ]);
  const create = (name: string) => repo.create(tenantId, { name, kind: 'linear', labels: ['a', 'b'], manifest: { metrics: { n: 4, accuracy: 0.75, macroF1: 0.7 } }, files, createdBy: null });

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-model-repo-'));
    db = createDb({ dataDir });
    await migrateLatest(db);
    repo = new IntentModelRepo(db);
  });
  beforeEach(async () => {
    tenantId = (await new TenantRepo(db).create(`t-${crypto.randomUUID()}`)).id;
  });
  afterAll(async () => {
    await db.destroy();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('stores the files byte for byte and lists models without them', async () => {
    const m = await create('m');
    expect(m).toMatchObject({ name: 'm', mode: 'inactive', split: 0, size: files.get('model.json')!.length + 5, labels: ['a', 'b'], metrics: { n: 4, accuracy: 0.75, macroF1: 0.7 } });
    const stored = await repo.files(tenantId, m.id);
    expect([...stored.keys()].sort()).toEqual(['model.json', 'model.onnx']);
    expect([...stored.get('model.onnx')!]).toEqual([1, 2, 3, 0, 255]);
    expect(await repo.list(tenantId)).toEqual([m]);
    expect(await repo.get(tenantId, m.id)).toEqual(m);
  });

  it('keeps one active model, refuses to delete it, and checks candidate splits', async () => {
    const a = await create('a');
    const b = await create('b');
    await repo.setMode(tenantId, a.id, 'active');
    expect((await repo.setMode(tenantId, b.id, 'active'))?.mode).toBe('active');
    expect((await repo.get(tenantId, a.id))?.mode).toBe('inactive');
    await expect(repo.remove(tenantId, b.id)).rejects.toMatchObject({ code: 'SB_ERR_CONFLICT' });
    await repo.setMode(tenantId, 'default', 'active');
    expect((await repo.list(tenantId)).map((m) => m.mode)).toEqual(['inactive', 'inactive']);
    await expect(repo.setMode(tenantId, a.id, 'candidate', 1)).rejects.toMatchObject({ code: 'SB_ERR_VALIDATION' });
    await repo.setMode(tenantId, a.id, 'candidate', 0.6);
    await expect(repo.setMode(tenantId, b.id, 'candidate', 0.5)).rejects.toMatchObject({ code: 'SB_ERR_VALIDATION' });
    expect((await repo.setMode(tenantId, b.id, 'candidate', 0.4))?.split).toBe(0.4);
    await expect(repo.setMode(tenantId, 'nope', 'shadow')).rejects.toMatchObject({ code: 'SB_ERR_MODEL_NOT_FOUND' });
    await expect(repo.setMode(tenantId, 'default', 'shadow')).rejects.toMatchObject({ code: 'SB_ERR_VALIDATION' });
    expect(await repo.remove(tenantId, a.id)).toBe(true);
    expect(await repo.files(tenantId, a.id)).toEqual(new Map());
    expect(await repo.remove(tenantId, a.id)).toBe(false);
  });

  it('computes per-model predictions, routed, feedback and agreement from predictions joined with feedback', async () => {
    const m = await create('m');
    const now = Date.now();
    const prediction = (conv: string, seq: number, modelId: string, intent: string, routed: boolean) => ({ tenant_id: tenantId, conversation_id: conv, seq, model_id: modelId, intent, confidence: 0.9, routed, created_at: now });
    await db('intent_predictions').insert([
      prediction('c1', 1, 'default', 'refund', true),
      prediction('c1', 1, m.id, 'password', false),
      prediction('c1', 2, 'default', 'refund', true),
      prediction('c1', 2, m.id, 'refund', false),
      prediction('c2', 1, 'default', 'card_arrival', true),
    ]);
    const feedback = (conv: string, seq: number, label: string) => ({ tenant_id: tenantId, conversation_id: conv, seq, text: 'x', label, agent_id: null, created_at: now });
    await db('intent_feedback').insert([feedback('c1', 1, 'password'), feedback('c1', 2, 'refund')]);
    // Another tenant's rows never count.
    const other = (await new TenantRepo(db).create('other')).id;
    await db('intent_predictions').insert({ ...prediction('c1', 1, 'default', 'refund', true), tenant_id: other });
    await db('intent_feedback').insert({ ...feedback('c1', 1, 'refund'), tenant_id: other });

    const stats = await repo.stats(tenantId);
    expect(stats.get('default')).toEqual({ predictions: 3, routed: 3, feedback: 2, agreed: 1, agreement: 0.5 });
    expect(stats.get(m.id)).toEqual({ predictions: 2, routed: 0, feedback: 2, agreed: 2, agreement: 1 });
    expect((await repo.stats(other)).get('default')).toEqual({ predictions: 1, routed: 1, feedback: 1, agreed: 1, agreement: 1 });
  });
});
