import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDb, type Db } from '../../server/storage/db.js';
import { migrateLatest } from '../../server/storage/migrate.js';
import { TenantRepo } from '../../server/tenants/repo.js';
import { AgentRepo } from '../../server/agents/repo.js';
import { InboxRepo } from '../../server/inboxes/repo.js';
import { ContactRepo } from '../../server/contacts/repo.js';
import { TokenService } from '../../server/auth/tokens.js';
import { spawnTs, type Spawned } from './proc.js';

/** One visitor and one agent of their own tenant, so an agent sees only its own conversation. */
export interface SeededPair {
  tenantId: string;
  visitorToken: string;
  agentToken: string;
}

export interface HubStorage {
  databaseUrl?: string | undefined;
  dataDir: string;
  secret: string;
}

/** A fresh storage target: SQLite in a temp dir, or the given PostgreSQL database. */
export function hubStorage(databaseUrl?: string): HubStorage {
  return {
    databaseUrl,
    dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'sb-bench-')),
    secret: crypto.randomBytes(32).toString('hex'),
  };
}

/**
 * Creates `n` tenants straight in the database (no API, no password hashing) and mints their
 * tokens with the server's signing key, so setup takes seconds rather than minutes.
 */
export async function seedPairs(storage: HubStorage, n: number): Promise<SeededPair[]> {
  const db: Db = createDb({ databaseUrl: storage.databaseUrl, dataDir: storage.dataDir, poolMax: 4 });
  try {
    await migrateLatest(db);
    const tokens = new TokenService({ secret: storage.secret, agentTtlSeconds: 86_400, visitorTtlSeconds: 86_400 });
    const [tenants, agents, inboxes, contacts] = [new TenantRepo(db), new AgentRepo(db), new InboxRepo(db), new ContactRepo(db)];
    const pairs: SeededPair[] = [];
    for (let i = 0; i < n; i++) {
      const tenant = await tenants.create(`bench ${i}`);
      const agent = await agents.create(tenant.id, { email: `agent${i}-${tenant.id}@bench.example`, name: `Agent ${i}`, role: 'admin', passwordHash: 'not-a-login' });
      const inbox = await inboxes.create(tenant.id, { name: 'Web', channel: 'web', settings: {}, secrets: {}, websiteToken: crypto.randomBytes(12).toString('hex') });
      const { contactId } = await contacts.resolveIdentity(tenant.id, { inboxId: inbox.id, channel: 'web', externalId: `visitor:${i}` }, {});
      pairs.push({
        tenantId: tenant.id,
        visitorToken: await tokens.signVisitor(tenant.id, contactId, inbox.id),
        agentToken: await tokens.signAgent(tenant.id, agent.id, 'admin'),
      });
    }
    return pairs;
  } finally {
    await db.destroy();
  }
}

/** Mints `n` visitor tokens for one web inbox (contacts need not exist to hold a socket). */
export async function visitorTokens(storage: HubStorage, n: number): Promise<string[]> {
  const db = createDb({ databaseUrl: storage.databaseUrl, dataDir: storage.dataDir, poolMax: 2 });
  try {
    await migrateLatest(db);
    const tenant = await new TenantRepo(db).create('idle bench');
    const inbox = await new InboxRepo(db).create(tenant.id, { name: 'Web', channel: 'web', settings: {}, secrets: {}, websiteToken: crypto.randomBytes(12).toString('hex') });
    const tokens = new TokenService({ secret: storage.secret, agentTtlSeconds: 86_400, visitorTtlSeconds: 86_400 });
    return Promise.all(Array.from({ length: n }, () => tokens.signVisitor(tenant.id, crypto.randomUUID(), inbox.id)));
  } finally {
    await db.destroy();
  }
}

export interface HubNode {
  url: string;
  wsUrl: string;
  proc: Spawned;
}

/** Starts one hub node on the storage (limits opened wide: the bench measures the hub, not its guards). */
export async function startHub(storage: HubStorage, env: Record<string, string> = {}, cpu?: string, nodeArgs: string[] = []): Promise<HubNode> {
  const proc = spawnTs(
    'dist/server/main.js',
    [],
    {
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: storage.dataDir,
      SECRET_KEY: storage.secret,
      ADMIN_PASSWORD: 'bench admin password',
      LOG_LEVEL: 'error',
      WS_FRAMES_PER_SECOND: '1000000',
      WS_FRAME_BURST: '1000000',
      SESSION_RATE_PER_MINUTE: '1000000',
      ...(storage.databaseUrl ? { DATABASE_URL: storage.databaseUrl } : { DATABASE_URL: '' }),
      ...env,
    },
    cpu,
    nodeArgs,
  );
  const m = await proc.waitFor(/running at http:\/\/localhost:(\d+)/);
  const port = m[1]!;
  return { url: `http://127.0.0.1:${port}`, wsUrl: `ws://127.0.0.1:${port}/ws`, proc };
}

/** Server memory from the hub's own Prometheus metrics. */
export async function hubMemory(node: HubNode): Promise<{ rss: number; heapUsed: number }> {
  const text = await (await fetch(`${node.url}/metrics`)).text();
  const value = (name: string) => Number(/^(\S+) (\S+)$/m.exec(text.split('\n').find((l) => l.startsWith(`${name} `)) ?? '')?.[2] ?? NaN);
  return { rss: value('sb_process_resident_memory_bytes'), heapUsed: value('sb_nodejs_heap_size_used_bytes') };
}
