import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDb, type Db } from '../../server/storage/db.js';
import { migrateLatest } from '../../server/storage/migrate.js';
import { TenantRepo } from '../../server/tenants/repo.js';
import { InboxRepo } from '../../server/inboxes/repo.js';
import { ContactRepo } from '../../server/contacts/repo.js';
import { createTestDatabase } from './pg.js';

/** An empty database of one kind, and how to reach it from another process. */
export interface StorageEnv {
  db: Db;
  /** Undefined for SQLite (its file lives in `dataDir`). */
  databaseUrl: string | undefined;
  dataDir: string;
  cleanup(): Promise<void>;
}

export interface StorageBackend {
  name: 'sqlite' | 'postgres';
  setup(): Promise<StorageEnv>;
}

/** Both databases the product runs on, for `describe.each`: a fresh SQLite file, a fresh PostgreSQL database. */
export const storageBackends: StorageBackend[] = [
  {
    name: 'sqlite',
    setup: async () => {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-storage-'));
      return { db: createDb({ dataDir }), databaseUrl: undefined, dataDir, cleanup: async () => fs.rmSync(dataDir, { recursive: true, force: true }) };
    },
  },
  {
    name: 'postgres',
    setup: async () => {
      const tdb = await createTestDatabase();
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-storage-'));
      const cleanup = async () => {
        await tdb.drop();
        fs.rmSync(dataDir, { recursive: true, force: true });
      };
      return { db: createDb({ databaseUrl: tdb.url, dataDir }), databaseUrl: tdb.url, dataDir, cleanup };
    },
  },
];

/** Migrates `db` and creates a tenant with a web inbox and one visitor contact ('Ada'). */
export async function seedTenant(db: Db): Promise<{ tenantId: string; inboxId: string; contactId: string }> {
  await migrateLatest(db);
  const tenantId = (await new TenantRepo(db).create('Acme')).id;
  const inboxId = (await new InboxRepo(db).create(tenantId, { name: 'Web', channel: 'web', settings: {}, secrets: {}, websiteToken: null })).id;
  const contactId = (await new ContactRepo(db).resolveIdentity(tenantId, { inboxId, channel: 'web', externalId: 'visitor:1' }, { name: 'Ada' })).contactId;
  return { tenantId, inboxId, contactId };
}
