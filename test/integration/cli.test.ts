import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identityHash } from '../../channels/web/identity.js';
import { api, login, visitorSession } from '../helpers/api.js';
import { createTestDatabase, type TestDatabase } from '../helpers/pg.js';
import { ROOT, startServer, type RunningServer } from '../helpers/server.js';

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a real CLI process (`node <entry…> <args…>` in the repo root) and collects its output. */
function run(entry: string[], args: string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...entry, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A child environment on `dataDir` (SQLite) or `databaseUrl` (PostgreSQL), free of the caller's settings. */
function cliEnv(dataDir: string, databaseUrl?: string, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = { ...(process.env as Record<string, string>), DATA_DIR: dataDir, ...extra };
  for (const k of ['DATABASE_URL', 'AGENT_PASSWORD', 'PUBLIC_URL', 'PORT']) if (!(k in extra)) delete env[k];
  if (databaseUrl) env['DATABASE_URL'] = databaseUrl;
  return env;
}

const jsonLines = (text: string): any[] =>
  text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l));

/** The `{error}` a failed run printed; it must be the only thing on stderr, with no stack trace. */
function errorOf(r: CliResult): { code: string; message: string } {
  expect(r.stdout).toBe('');
  expect(r.stderr).not.toMatch(/\n\s+at /);
  const lines = jsonLines(r.stderr);
  expect(lines).toHaveLength(1);
  return lines[0].error;
}

async function tableNames(dataDir: string, databaseUrl: string | undefined): Promise<string[]> {
  if (!databaseUrl) {
    const db = new Database(path.join(dataDir, 'switchboard.sqlite'), { readonly: true, fileMustExist: true });
    try {
      return (db.prepare("select name from sqlite_master where type = 'table'").all() as { name: string }[]).map((r) => r.name);
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const r = await client.query<{ table_name: string }>("select table_name from information_schema.tables where table_schema = 'public'");
    return r.rows.map((row) => row.table_name);
  } finally {
    await client.end();
  }
}

describe.each(['sqlite', 'postgres'] as const)('switchboard CLI on %s', (backend) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-cli-'));
  let pgdb: TestDatabase | undefined;
  let server: RunningServer;
  let firstMigrate: CliResult;
  let tablesAfterMigrate: string[];
  let tenantId: string;
  const cli = (args: string[], extraEnv: Record<string, string> = {}) =>
    run(['--import', 'tsx', 'server/cli.ts'], args, cliEnv(dataDir, pgdb?.url, extraEnv));
  const createTenant = async (name: string): Promise<string> => {
    const r = await cli(['tenant', 'create', '--name', name]);
    expect(r.code, r.stderr).toBe(0);
    return jsonLines(r.stdout)[0].id;
  };

  beforeAll(async () => {
    if (backend === 'postgres') pgdb = await createTestDatabase();
    // Migrate the empty database before any server has touched it.
    firstMigrate = await cli(['migrate']);
    tablesAfterMigrate = await tableNames(dataDir, pgdb?.url);
    server = await startServer(pgdb ? { dataDir, databaseUrl: pgdb.url } : { dataDir });
    tenantId = await createTenant('Acme Support');
  });

  afterAll(async () => {
    expect(await server?.stop()).toBe(0);
    await pgdb?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('migrate creates the schema on a fresh database and is idempotent', async () => {
    expect(firstMigrate.code, firstMigrate.stderr).toBe(0);
    expect(jsonLines(firstMigrate.stdout)).toEqual([{ migrated: true }]);
    expect(tablesAfterMigrate).toEqual(expect.arrayContaining(['tenants', 'agents', 'inboxes', 'conversations', 'messages']));

    const again = await cli(['migrate']);
    expect(again.code, again.stderr).toBe(0);
    expect(jsonLines(again.stdout)).toEqual([{ migrated: true }]);
  });

  it('tenant create prints the tenant; tenant list prints one JSON line per tenant', { timeout: 60_000 }, async () => {
    const created = await cli(['tenant', 'create', '--name', 'Globex Help Desk']);
    expect(created.code, created.stderr).toBe(0);
    const lines = jsonLines(created.stdout);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toEqual({ id: expect.any(String), name: 'Globex Help Desk', createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });

    const list = await cli(['tenant', 'list']);
    expect(list.code, list.stderr).toBe(0);
    const names = jsonLines(list.stdout).map((t) => t.name);
    // The server bootstrapped the default workspace; the CLI added two more.
    expect(names).toEqual(['Default workspace', 'Acme Support', 'Globex Help Desk']);
    expect(jsonLines(list.stdout).find((t) => t.name === 'Acme Support').id).toBe(tenantId);

    const blank = await cli(['tenant', 'create', '--name', '   ']);
    expect(blank.code).toBe(2);
    expect(errorOf(blank).code).toBe('SB_ERR_VALIDATION');
  });

  it('agent create with --password makes an agent who can log in to the running server, in that tenant', async () => {
    const password = 'ann correct horse';
    const r = await cli(['agent', 'create', '--tenant', tenantId, '--email', 'Ann@Acme.test', '--name', 'Ann', '--role', 'admin', '--password', password]);
    expect(r.code, r.stderr).toBe(0);
    const [agent] = jsonLines(r.stdout);
    expect(agent).toMatchObject({ email: 'ann@acme.test', name: 'Ann', role: 'admin', tenantId, teamIds: [] });
    expect(agent).not.toHaveProperty('password');
    expect(r.stdout).not.toContain(password);
    expect(r.stdout).not.toContain('scrypt');

    const token = await login(server.url, 'ann@acme.test', password);
    const me = await api(server.url, token).get('/api/v1/auth/me');
    expect(me.body).toMatchObject({ id: agent.id, tenantId, role: 'admin' });
  });

  it('agent create takes the password from AGENT_PASSWORD, and generates and prints one when none is given', { timeout: 60_000 }, async () => {
    const fromEnv = await cli(['agent', 'create', '--tenant', tenantId, '--email', 'bob@acme.test', '--name', 'Bob'], { AGENT_PASSWORD: 'bob from the env' });
    expect(fromEnv.code, fromEnv.stderr).toBe(0);
    expect(jsonLines(fromEnv.stdout)[0]).toMatchObject({ role: 'agent', tenantId });
    expect(fromEnv.stdout).not.toContain('bob from the env');
    await login(server.url, 'bob@acme.test', 'bob from the env');

    const generated = await cli(['agent', 'create', '--tenant', tenantId, '--email', 'cy@acme.test', '--name', 'Cy']);
    expect(generated.code, generated.stderr).toBe(0);
    const [cy] = jsonLines(generated.stdout);
    expect(cy.password).toMatch(/^[A-Za-z0-9_-]{16,}$/);
    const me = await api(server.url, await login(server.url, 'cy@acme.test', cy.password)).get('/api/v1/auth/me');
    expect(me.body).toMatchObject({ id: cy.id, tenantId, role: 'agent' });

    const taken = await cli(['agent', 'create', '--tenant', tenantId, '--email', 'cy@acme.test', '--name', 'Cy again']);
    expect(taken.code).toBe(1);
    expect(errorOf(taken).code).toBe('SB_ERR_CONFLICT');
  });

  it('inbox create prints the website token and never the identity secret, which still verifies identities', async () => {
    const secret = '0123456789abcdef0123';
    const r = await cli(['inbox', 'create', '--tenant', tenantId, '--name', 'Acme site', '--channel', 'web', '--settings', JSON.stringify({ requireIdentity: true, identitySecret: secret })]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain(secret);
    expect(r.stdout).not.toContain('identitySecret');
    const [inbox] = jsonLines(r.stdout);
    expect(inbox).toMatchObject({ name: 'Acme site', channel: 'web', settings: { requireIdentity: true } });
    expect(inbox.websiteToken).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(inbox).not.toHaveProperty('webhookUrl');

    // The tenant's admin sees it through the API, and the server verifies identities with the stored secret.
    const adminToken = await login(server.url, 'ann@acme.test', 'ann correct horse');
    const listed = await api(server.url, adminToken).get('/api/v1/inboxes');
    expect(listed.body.items).toContainEqual(expect.objectContaining({ id: inbox.id, websiteToken: inbox.websiteToken }));
    await visitorSession(server.url, inbox.websiteToken, { identity: { id: 'user-7', hash: identityHash('user-7', secret) } });
    const forged = await api(server.url).post('/api/v1/widget/sessions', { inbox: inbox.websiteToken, identity: { id: 'user-7', hash: identityHash('user-7', 'not the secret at all') } });
    expect(forged.status).toBe(401);
    expect(forged.body.error.code).toBe('SB_ERR_IDENTITY_INVALID');
  });

  it('inbox create validates settings like the API', async () => {
    const r = await cli(['inbox', 'create', '--tenant', tenantId, '--name', 'Bad', '--channel', 'web', '--settings', '{"requireIdentity":true}']);
    expect(r.code).toBe(2);
    const error = errorOf(r);
    expect(error.code).toBe('SB_ERR_VALIDATION');
    expect(error.message).toContain('settings.identitySecret');

    const notJson = await cli(['inbox', 'create', '--tenant', tenantId, '--name', 'Bad', '--channel', 'web', '--settings', '{oops']);
    expect(notJson.code).toBe(2);
    expect(errorOf(notJson).code).toBe('SB_ERR_BAD_JSON');
  });

  it('rejects an unknown tenant with SB_ERR_NOT_FOUND and no stack trace', { timeout: 60_000 }, async () => {
    const agent = await cli(['agent', 'create', '--tenant', 'no-such-tenant', '--email', 'dee@acme.test', '--name', 'Dee', '--password', 'long enough pw']);
    expect(agent.code).toBe(1);
    expect(errorOf(agent)).toMatchObject({ code: 'SB_ERR_NOT_FOUND', message: expect.stringContaining('no-such-tenant') });

    const inbox = await cli(['inbox', 'create', '--tenant', 'no-such-tenant', '--name', 'Site', '--channel', 'web']);
    expect(inbox.code).toBe(1);
    expect(errorOf(inbox).code).toBe('SB_ERR_NOT_FOUND');
  });

  it('rejects a channel that is not available yet with exit code 2', async () => {
    const r = await cli(['inbox', 'create', '--tenant', tenantId, '--name', 'Bot', '--channel', 'telegram', '--settings', '{"botToken":"123:abc"}']);
    expect(r.code).toBe(2);
    expect(errorOf(r)).toMatchObject({ code: 'SB_ERR_CHANNEL_UNSUPPORTED', message: expect.stringContaining('telegram') });
  });

  it('reports usage errors as SB_ERR_BAD_REQUEST with exit code 2', { timeout: 60_000 }, async () => {
    const missing = await cli(['agent', 'create', '--tenant', tenantId, '--name', 'No email']);
    expect(missing.code).toBe(2);
    expect(errorOf(missing)).toMatchObject({ code: 'SB_ERR_BAD_REQUEST', message: expect.stringContaining('--email') });

    const unknown = await cli(['tenant', 'frobnicate']);
    expect(unknown.code).toBe(2);
    expect(errorOf(unknown).code).toBe('SB_ERR_BAD_REQUEST');
  });
});

describe('bin/switchboard.mjs (the package bin)', () => {
  it('runs the CLI and propagates its exit code', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-bin-'));
    try {
      const bin = (args: string[]) => run([path.join(ROOT, 'bin/switchboard.mjs')], args, cliEnv(dataDir));
      const migrated = await bin(['migrate']);
      expect(migrated.code, migrated.stderr).toBe(0);
      expect(jsonLines(migrated.stdout)).toEqual([{ migrated: true }]);

      const unsupported = await bin(['inbox', 'create', '--tenant', 'any', '--name', 'Bot', '--channel', 'slack']);
      expect(unsupported.code).toBe(2);
      expect(errorOf(unsupported).code).toBe('SB_ERR_CHANNEL_UNSUPPORTED');
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
