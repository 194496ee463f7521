import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentRepo } from '../../server/agents/repo.js';
import { hashPassword } from '../../server/auth/passwords.js';
import { errorHandler, notFound } from '../../server/http/errors.js';
import { loadIntentModelFiles, readModelDir, writeModelDir, type IntentPredictor, type ModelFiles } from '../../server/intent/model.js';
import { trainIntentModel } from '../../server/intent/pipeline.js';
import { ModelRegistry } from '../../server/intent/versions/registry.js';
import { IntentModelRepo } from '../../server/intent/versions/repo.js';
import { intentModelRoutes } from '../../server/intent/versions/routes.js';
import { createDb, type Db } from '../../server/storage/db.js';
import { migrateLatest } from '../../server/storage/migrate.js';
import { TenantRepo } from '../../server/tenants/repo.js';
import { api, login, type ApiResponse } from '../helpers/api.js';
import { createTestDatabase, type TestDatabase } from '../helpers/pg.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { syntheticIntents } from '../unit/intent/synthetic.js';

// Tiny trained models, written as model directories the way `switchboard intent train` does.
let workDir: string;
let good: ModelFiles;
let other: ModelFiles;

beforeAll(() => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-intent-models-'));
  const write = (name: string, seed: number) => {
    const trained = trainIntentModel(syntheticIntents(), { valSplit: 0.25, epochs: 4, seed, featurizer: { buckets: 1 << 10 } });
    writeModelDir(path.join(workDir, name), trained.onnx, trained.manifest);
    return readModelDir(path.join(workDir, name));
  };
  good = write('good', 1);
  other = write('other', 2);
});

afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

const json = (files: ModelFiles) => JSON.parse(Buffer.from(files.get('model.json')!).toString('utf8'));
const withFile = (files: ModelFiles, name: string, bytes: Uint8Array | string): ModelFiles => new Map([...files, [name, typeof bytes === 'string' ? Buffer.from(bytes) : bytes]]);

/** POSTs files as multipart/form-data, one file part per file, like `curl -F model.json=@…`. */
async function upload(base: string, token: string, files: ModelFiles, name = 'v2', extra?: (form: FormData) => void): Promise<ApiResponse> {
  const form = new FormData();
  for (const [file, bytes] of files) form.append(file, new Blob([Buffer.from(bytes)]), file);
  extra?.(form);
  const res = await fetch(`${base}/api/v1/intent/models?name=${encodeURIComponent(name)}`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}

const expectError = (res: ApiResponse, status: number, code: string) => expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status, code });

/** Where the API runs: tokens of tenant A's admin and plain agent and of another tenant's admin, and its database. */
interface Target {
  base: string;
  admin: string;
  agent: string;
  otherAdmin: string;
  tenantId: string;
  db: Db;
  close(): Promise<void>;
}

/** The same API cases against the bare router (PostgreSQL) and the real server (SQLite). */
function apiCases(open: () => Promise<Target>): void {
  let t: Target;
  const ids = (res: ApiResponse) => (res.body.items as { id: string }[]).map((m) => m.id);
  const modes = async () => Object.fromEntries(((await api(t.base, t.admin).get('/api/v1/intent/models')).body.items as { id: string; mode: string }[]).map((m) => [m.id, m.mode]));

  beforeAll(async () => {
    t = await open();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('lists the shipped default first, active and built in', async () => {
    const res = await api(t.base, t.agent).get('/api/v1/intent/models');
    expect(res.status).toBe(200);
    expect(res.body.nextCursor).toBeNull();
    expect(res.body.items[0]).toMatchObject({ id: 'default', name: 'Shipped default model', builtIn: true, kind: 'linear', mode: 'active', stats: { predictions: 0, agreement: null } });
    expect(res.body.items[0].labels.length).toBeGreaterThan(1);
  });

  it('stores an upload as an inactive model version and lists it after the default', async () => {
    const res = await upload(t.base, t.admin, good, 'synthetic v1');
    expect(res.status).toBe(201);
    const manifest = json(good);
    expect(res.body).toEqual({
      id: expect.any(String),
      name: 'synthetic v1',
      builtIn: false,
      kind: 'linear',
      labels: ['card_arrival', 'password', 'refund'],
      mode: 'inactive',
      split: 0,
      size: good.get('model.json')!.byteLength + good.get('model.onnx')!.byteLength,
      metrics: manifest.metrics,
      createdBy: expect.any(String),
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const list = await api(t.base, t.agent).get('/api/v1/intent/models');
    expect(ids(list).slice(0, 2)).toEqual(['default', res.body.id]);
    expect(list.body.items[1]).toMatchObject({ mode: 'inactive', stats: { predictions: 0, routed: 0, feedback: 0, agreed: 0, agreement: null } });
    expect((await api(t.base, t.agent).get(`/api/v1/intent/models/${res.body.id}`)).body).toEqual(list.body.items[1]);
  });

  it('refuses a corrupt model.onnx with 422 and a clear message, storing nothing', async () => {
    const before = ids(await api(t.base, t.admin).get('/api/v1/intent/models'));
    const res = await upload(t.base, t.admin, withFile(good, 'model.onnx', crypto.randomBytes(2048)), 'corrupt');
    expectError(res, 422, 'SB_ERR_VALIDATION');
    expect(res.body.error.message).toMatch(/model\.onnx/);
    expect(ids(await api(t.base, t.admin).get('/api/v1/intent/models'))).toEqual(before);
  });

  it('answers a refused upload while the client is still sending it, and the connection stays usable', async () => {
    // The unknown part comes first, then 8 MiB: the server refuses at the first part, long
    // before the client has written the rest. Closing then would reset the connection under
    // the client's write (fetch fails with EPIPE instead of reading the 422).
    const files: ModelFiles = new Map([
      ['weights.bin', Buffer.from('x')],
      ['model.json', good.get('model.json')!],
      ['model.onnx', Buffer.alloc(8 * 1024 * 1024)],
    ]);
    for (let i = 0; i < 3; i++) {
      const res = await upload(t.base, t.admin, files, `early ${i}`);
      expectError(res, 422, 'SB_ERR_VALIDATION');
      expect(res.body.error.message).toMatch(/weights\.bin/);
    }
    expect((await api(t.base, t.admin).get('/api/v1/intent/models')).status).toBe(200);
  });

  it('refuses a model whose labels do not match its graph with 422', async () => {
    const manifest = { ...json(good), labels: ['a', 'b', 'c', 'd'] };
    const res = await upload(t.base, t.admin, withFile(good, 'model.json', JSON.stringify(manifest)), 'mismatch');
    expectError(res, 422, 'SB_ERR_VALIDATION');
    expect(res.body.error.message).toMatch(/3 classes but model\.json lists 4 labels/);
    expect((await api(t.base, t.admin).get('/api/v1/intent/models')).body.items.map((m: { name: string }) => m.name)).not.toContain('mismatch');
  });

  it('refuses uploads that are not a model directory: unknown or missing parts, a JSON body', async () => {
    const unknown = await upload(t.base, t.admin, withFile(good, 'weights.bin', 'x'));
    expectError(unknown, 422, 'SB_ERR_VALIDATION');
    expect(unknown.body.error.message).toMatch(/weights\.bin/);
    const missing = await upload(t.base, t.admin, new Map([['model.json', good.get('model.json')!]]));
    expectError(missing, 422, 'SB_ERR_VALIDATION');
    expect(missing.body.error.message).toMatch(/model\.onnx/);
    const field = await upload(t.base, t.admin, new Map([['model.onnx', good.get('model.onnx')!]]), 'v', (f) => f.append('model.json', 'text, not a file'));
    expectError(field, 422, 'SB_ERR_VALIDATION');
    expectError(await api(t.base, t.admin).post('/api/v1/intent/models?name=x', { files: [] }), 422, 'SB_ERR_VALIDATION');
    expectError(await upload(t.base, t.admin, good, ''), 422, 'SB_ERR_VALIDATION');
  });

  it('lets every agent read but only admins upload, change or delete', async () => {
    expectError(await upload(t.base, t.agent, good), 403, 'SB_ERR_FORBIDDEN');
    const id = (await upload(t.base, t.admin, good, 'admins only')).body.id;
    expectError(await api(t.base, t.agent).patch(`/api/v1/intent/models/${id}`, { mode: 'active' }), 403, 'SB_ERR_FORBIDDEN');
    expectError(await api(t.base, t.agent).delete(`/api/v1/intent/models/${id}`), 403, 'SB_ERR_FORBIDDEN');
    expect((await api(t.base, t.agent).get(`/api/v1/intent/models/${id}`)).status).toBe(200);
    expect((await api(t.base, t.admin).get(`/api/v1/intent/models/${id}`)).body.mode).toBe('inactive');
  });

  it('keeps one active model: activating one demotes the previous, activating default demotes the upload', async () => {
    const a = (await upload(t.base, t.admin, good, 'A')).body.id;
    const b = (await upload(t.base, t.admin, other, 'B')).body.id;
    const first = await api(t.base, t.admin).patch(`/api/v1/intent/models/${a}`, { mode: 'active' });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ id: a, mode: 'active', split: 0, stats: expect.any(Object) });
    expect(await modes()).toMatchObject({ default: 'inactive', [a]: 'active', [b]: 'inactive' });
    expect((await api(t.base, t.admin).patch(`/api/v1/intent/models/${b}`, { mode: 'active' })).body.mode).toBe('active');
    expect(await modes()).toMatchObject({ default: 'inactive', [a]: 'inactive', [b]: 'active' });
    const back = await api(t.base, t.admin).patch('/api/v1/intent/models/default', { mode: 'active' });
    expect(back.body).toMatchObject({ id: 'default', builtIn: true, mode: 'active' });
    expect(Object.values(await modes()).filter((m) => m === 'active')).toEqual(['active']);
    expect((await modes())['default']).toBe('active');
    expectError(await api(t.base, t.admin).patch('/api/v1/intent/models/default', { mode: 'shadow' }), 422, 'SB_ERR_VALIDATION');
  });

  it('needs 0 < split < 1 for a candidate, and no split otherwise; candidates share at most 1', async () => {
    const a = (await upload(t.base, t.admin, good, 'cand A')).body.id;
    const b = (await upload(t.base, t.admin, other, 'cand B')).body.id;
    const patch = (id: string, body: unknown) => api(t.base, t.admin).patch(`/api/v1/intent/models/${id}`, body);
    for (const body of [{ mode: 'candidate' }, { mode: 'candidate', split: 0 }, { mode: 'candidate', split: 1 }, { mode: 'candidate', split: '0.5' }, { mode: 'shadow', split: 0.5 }, { mode: 'live' }, { mode: 'active', extra: 1 }]) {
      expectError(await patch(a, body), 422, 'SB_ERR_VALIDATION');
    }
    expect((await patch(a, { mode: 'candidate', split: 0.3 })).body).toMatchObject({ mode: 'candidate', split: 0.3 });
    expectError(await patch(b, { mode: 'candidate', split: 0.8 }), 422, 'SB_ERR_VALIDATION');
    expect((await patch(b, { mode: 'candidate', split: 0.7 })).body).toMatchObject({ mode: 'candidate', split: 0.7 });
    expect((await patch(b, { mode: 'shadow' })).body).toMatchObject({ mode: 'shadow', split: 0 });
    expect((await patch(a, { mode: 'inactive' })).body).toMatchObject({ mode: 'inactive', split: 0 });
    expectError(await patch(crypto.randomUUID(), { mode: 'shadow' }), 404, 'SB_ERR_MODEL_NOT_FOUND');
  });

  it('refuses to delete the active model (409) and deletes others (204, then 404)', async () => {
    const id = (await upload(t.base, t.admin, good, 'to delete')).body.id;
    await api(t.base, t.admin).patch(`/api/v1/intent/models/${id}`, { mode: 'active' });
    expectError(await api(t.base, t.admin).delete(`/api/v1/intent/models/${id}`), 409, 'SB_ERR_CONFLICT');
    expectError(await api(t.base, t.admin).delete('/api/v1/intent/models/default'), 409, 'SB_ERR_CONFLICT');
    await api(t.base, t.admin).patch('/api/v1/intent/models/default', { mode: 'active' });
    const del = await api(t.base, t.admin).delete(`/api/v1/intent/models/${id}`);
    expect(del.status).toBe(204);
    expectError(await api(t.base, t.admin).get(`/api/v1/intent/models/${id}`), 404, 'SB_ERR_MODEL_NOT_FOUND');
    expectError(await api(t.base, t.admin).delete(`/api/v1/intent/models/${id}`), 404, 'SB_ERR_MODEL_NOT_FOUND');
    expect(await t.db('intent_model_files').where({ model_id: id }).count({ n: '*' })).toEqual([{ n: 0 }]);
  });

  it("keeps one tenant's models out of another tenant's reach", async () => {
    const mine = (await upload(t.base, t.admin, good, 'tenant A secret model')).body.id;
    const b = api(t.base, t.otherAdmin);
    const list = await b.get('/api/v1/intent/models');
    expect(ids(list)).toEqual(['default']);
    expect(JSON.stringify(list.body)).not.toContain('tenant A secret model');
    expectError(await b.get(`/api/v1/intent/models/${mine}`), 404, 'SB_ERR_MODEL_NOT_FOUND');
    expectError(await b.patch(`/api/v1/intent/models/${mine}`, { mode: 'active' }), 404, 'SB_ERR_MODEL_NOT_FOUND');
    expectError(await b.delete(`/api/v1/intent/models/${mine}`), 404, 'SB_ERR_MODEL_NOT_FOUND');
    expect((await api(t.base, t.admin).get(`/api/v1/intent/models/${mine}`)).body).toMatchObject({ mode: 'inactive', name: 'tenant A secret model' });
    // B's own upload is B's alone, and activating it leaves A's default active.
    const theirs = (await upload(t.base, t.otherAdmin, other, 'tenant B model')).body.id;
    expect((await b.patch(`/api/v1/intent/models/${theirs}`, { mode: 'active' })).status).toBe(200);
    expect(ids(await api(t.base, t.admin).get('/api/v1/intent/models'))).not.toContain(theirs);
    expect((await modes())['default']).toBe('active');
  });

  it("shows each model's predictions and agreement with agents' feedback", async () => {
    const id = (await upload(t.base, t.admin, good, 'stats')).body.id;
    const now = Date.now();
    const conv = crypto.randomUUID();
    const p = (seq: number, modelId: string, intent: string, routed: boolean) => ({ tenant_id: t.tenantId, conversation_id: conv, seq, model_id: modelId, intent, confidence: 0.8, routed, created_at: now });
    await t.db('intent_predictions').insert([p(1, 'default', 'refund', true), p(1, id, 'password', false), p(2, 'default', 'refund', true), p(2, id, 'card_arrival', false), p(3, id, 'refund', false)]);
    await t.db('intent_feedback').insert([1, 2].map((seq) => ({ tenant_id: t.tenantId, conversation_id: conv, seq, text: 'x', label: 'password', agent_id: null, created_at: now })));
    const items = (await api(t.base, t.agent).get('/api/v1/intent/models')).body.items as { id: string; stats: unknown }[];
    expect(items.find((m) => m.id === id)?.stats).toEqual({ predictions: 3, routed: 0, feedback: 2, agreed: 1, agreement: 0.5 });
    expect(items.find((m) => m.id === 'default')?.stats).toEqual({ predictions: 2, routed: 2, feedback: 2, agreed: 0, agreement: 0 });
    expect((await api(t.base, t.agent).get('/api/v1/intent/models/default')).body.stats).toMatchObject({ predictions: 2 });
  });
}

/** Tenant A (`existingA`, or a new one: admin + agent) and tenant B (admin) in `db`. */
async function seedTenants(db: Db, existingA?: string) {
  const tenants = new TenantRepo(db);
  const agents = new AgentRepo(db);
  const passwordHash = await hashPassword('intent models password');
  const a = existingA ?? (await tenants.create('Tenant A')).id;
  const b = (await tenants.create('Tenant B')).id;
  return {
    a,
    b,
    admin: await agents.create(a, { email: `admin-${a}@a.example`, name: 'A Admin', role: 'admin', passwordHash }),
    agent: await agents.create(a, { email: `agent-${a}@a.example`, name: 'A Agent', role: 'agent', passwordHash }),
    otherAdmin: await agents.create(b, { email: `admin-${b}@b.example`, name: 'B Admin', role: 'admin', passwordHash }),
  };
}

/**
 * The router on a bare express app over PostgreSQL. The stand-in for the agent token check
 * takes `Bearer <tenantId>:<agentId>:<role>`; the real check is covered on the real server below.
 */
async function bareApp(opts: { maxBytes?: number } = {}) {
  const tdb: TestDatabase = await createTestDatabase();
  const db = createDb({ databaseUrl: tdb.url, dataDir: workDir });
  await migrateLatest(db);
  const seeded = await seedTenants(db);
  const defaultModel: IntentPredictor = await loadIntentModelFiles(good);
  const log = pino({ level: 'silent' });
  const repo = new IntentModelRepo(db);
  const registry = new ModelRegistry({ repo, defaultModel, log }, { configTtlMs: 60_000 });
  const app = express();
  app.use(express.json());
  app.use((req, res, next) => {
    const [tenantId, id, role] = (req.headers.authorization ?? '').replace(/^Bearer /, '').split(':');
    res.locals['actor'] = { type: 'agent', tenantId, id, role };
    next();
  });
  app.use('/api/v1', intentModelRoutes({ repo, registry, ...(opts.maxBytes ? { maxBytes: opts.maxBytes } : {}) }));
  app.use(notFound);
  app.use(errorHandler(log));
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const token = (agent: { id: string; role: string }, tenantId: string) => `${tenantId}:${agent.id}:${agent.role}`;
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    admin: token(seeded.admin, seeded.a),
    agent: token(seeded.agent, seeded.a),
    otherAdmin: token(seeded.otherAdmin, seeded.b),
    tenantId: seeded.a,
    db,
    registry,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await registry.close();
      await defaultModel.close();
      await db.destroy();
      await tdb.drop();
    },
  };
}

describe('intent model API: the router over PostgreSQL', () => {
  apiCases(() => bareApp());
});

describe('intent model API: PostgreSQL specifics, limits and the registry', () => {
  let t: Awaited<ReturnType<typeof bareApp>>;
  beforeAll(async () => {
    t = await bareApp({ maxBytes: 64 * 1024 });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('refuses uploads over maxBytes with 413, whether declared up front or streamed', async () => {
    const big = withFile(good, 'vocab.txt', Buffer.alloc(80 * 1024, 'a'));
    expectError(await upload(t.base, t.admin, big), 413, 'SB_ERR_PAYLOAD_TOO_LARGE');
    // Chunked, so nothing is declared: the limit trips while reading.
    const boundary = 'sbboundary';
    const chunks = [Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="vocab.txt"; filename="vocab.txt"\r\n\r\n`), Buffer.alloc(80 * 1024, 'b'), Buffer.from(`\r\n--${boundary}--\r\n`)];
    const status = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(`${t.base}/api/v1/intent/models?name=chunked`, { method: 'POST', headers: { authorization: `Bearer ${t.admin}`, 'content-type': `multipart/form-data; boundary=${boundary}`, 'transfer-encoding': 'chunked' } }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      });
      req.on('error', reject);
      for (const c of chunks) req.write(c);
      req.end();
    });
    expect(status.status).toBe(413);
    expect(JSON.parse(status.body).error.code).toBe('SB_ERR_PAYLOAD_TOO_LARGE');
    // A declared length over the limit is refused before the body is read: the answer comes
    // while the client has sent only its first bytes.
    const early = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${t.base}/api/v1/intent/models?name=declared`, { method: 'POST', headers: { authorization: `Bearer ${t.admin}`, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(100 * 1024 * 1024) } }, (res) => {
        res.resume();
        req.destroy();
        resolve(res.statusCode!);
      });
      req.on('error', (err) => (req.destroyed ? undefined : reject(err)));
      req.write(chunks[0]);
    });
    expect(early).toBe(413);
    expect((await api(t.base, t.admin).get('/api/v1/intent/models')).body.items).toHaveLength(1);
    // The server is fine afterwards.
    expect((await upload(t.base, t.admin, good)).status).toBe(201);
  });

  it('keeps exactly one active model when activations race', async () => {
    const uploaded = await Promise.all([1, 2, 3, 4, 5].map(async (i) => (await upload(t.base, t.admin, i % 2 ? good : other, `race ${i}`)).body.id as string));
    const results = await Promise.all(uploaded.map((id) => api(t.base, t.admin).patch(`/api/v1/intent/models/${id}`, { mode: 'active' })));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    const rows = await t.db('intent_models').where({ tenant_id: t.tenantId, mode: 'active' });
    expect(rows).toHaveLength(1);
  });

  it('routes with a newly activated model at once on the node that changed it', async () => {
    const id = (await upload(t.base, t.admin, other, 'routes now')).body.id;
    await api(t.base, t.admin).patch('/api/v1/intent/models/default', { mode: 'active' });
    expect((await t.registry.select(t.tenantId, 'conv-1')).routing?.id).toBe('default');
    await api(t.base, t.admin).patch(`/api/v1/intent/models/${id}`, { mode: 'active' });
    const { routing } = await t.registry.select(t.tenantId, 'conv-1');
    expect(routing?.id).toBe(id);
    expect((await routing!.model.predict('refund the blue please')).intent).toBe('refund');
    await api(t.base, t.admin).patch(`/api/v1/intent/models/${id}`, { mode: 'shadow' });
    expect((await t.registry.select(t.tenantId, 'conv-1')).shadows.map((s) => s.id)).toEqual([id]);
  });
});

describe('intent model API: the real server (SQLite, agent tokens)', () => {
  apiCases(async () => {
    const server: RunningServer = await startServer();
    const db = createDb({ dataDir: server.dataDir });
    try {
      const admin = await login(server.url, server.adminEmail, server.adminPassword);
      const me = await api(server.url, admin).get('/api/v1/auth/me');
      // The plain agent joins the bootstrap workspace; tenant B is new.
      const seeded = await seedTenants(db, me.body.tenantId);
      return {
        base: server.url,
        admin,
        agent: await login(server.url, seeded.agent.email, 'intent models password'),
        otherAdmin: await login(server.url, seeded.otherAdmin.email, 'intent models password'),
        tenantId: me.body.tenantId as string,
        db,
        close: async () => {
          await db.destroy();
          expect(await server.stop()).toBe(0);
        },
      };
    } catch (err) {
      await db.destroy();
      await server.stop();
      throw err;
    }
  });
});
