import type { Db } from '../storage/db.js';
import { nowMs, toIso } from '../storage/db.js';
import { newId } from '../ids.js';

export interface Tenant {
  id: string;
  name: string;
  createdAt: string;
}

/** Tenants (workspaces). The only table that is not itself tenant-owned. */
export class TenantRepo {
  constructor(private readonly db: Db) {}

  async create(name: string): Promise<Tenant> {
    const row = { id: newId(), name, created_at: nowMs() };
    await this.db('tenants').insert(row);
    return { id: row.id, name, createdAt: toIso(row.created_at)! };
  }

  async list(): Promise<Tenant[]> {
    const rows = await this.db('tenants').orderBy('created_at', 'asc');
    return rows.map((r) => ({ id: r.id, name: r.name, createdAt: toIso(r.created_at)! }));
  }

  async get(id: string): Promise<Tenant | undefined> {
    const r = await this.db('tenants').where({ id }).first();
    return r ? { id: r.id, name: r.name, createdAt: toIso(r.created_at)! } : undefined;
  }

  async count(): Promise<number> {
    const row = await this.db('tenants').count<{ n: number | string }[]>({ n: '*' });
    return Number(row[0]?.n ?? 0);
  }
}
