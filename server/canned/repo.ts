import type { Db } from '../storage/db.js';
import { nowMs, toIso } from '../storage/db.js';
import { newId } from '../ids.js';
import { AppError, isUniqueViolation } from '../errors.js';

export interface CannedResponse {
  id: string;
  shortCode: string;
  content: string;
  createdAt: string;
  updatedAt: string;
}

const toWire = (r: Record<string, unknown>): CannedResponse => ({
  id: String(r['id']),
  shortCode: String(r['short_code']),
  content: String(r['content']),
  createdAt: toIso(Number(r['created_at']))!,
  updatedAt: toIso(Number(r['updated_at']))!,
});

const escapeLike = (s: string) => s.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`);
const taken = () => new AppError('SB_ERR_CONFLICT', 'A canned response with this short code exists.');

/** Saved replies of one tenant. */
export class CannedResponseRepo {
  constructor(private readonly db: Db) {}

  /** By short code; `q` matches the start of the code or any part of the text. */
  async list(tenantId: string, q?: string): Promise<CannedResponse[]> {
    const query = this.db('canned_responses').where({ tenant_id: tenantId });
    if (q) {
      const like = escapeLike(q);
      query.andWhere((w) => w.whereRaw("lower(short_code) like ? escape '\\'", [`${like}%`]).orWhereRaw("lower(content) like ? escape '\\'", [`%${like}%`]));
    }
    return (await query.orderBy('short_code').limit(500)).map(toWire);
  }

  async create(tenantId: string, input: { shortCode: string; content: string }): Promise<CannedResponse> {
    const now = nowMs();
    const row = { tenant_id: tenantId, id: newId(), short_code: input.shortCode, content: input.content, created_at: now, updated_at: now };
    try {
      await this.db('canned_responses').insert(row);
    } catch (err) {
      if (isUniqueViolation(err)) throw taken();
      throw err;
    }
    return toWire(row);
  }

  async update(tenantId: string, id: string, patch: { shortCode?: string | undefined; content?: string | undefined }): Promise<CannedResponse | undefined> {
    const change: Record<string, unknown> = { updated_at: nowMs() };
    if (patch.shortCode !== undefined) change['short_code'] = patch.shortCode;
    if (patch.content !== undefined) change['content'] = patch.content;
    try {
      const n = await this.db('canned_responses').where({ tenant_id: tenantId, id }).update(change);
      if (!n) return undefined;
    } catch (err) {
      if (isUniqueViolation(err)) throw taken();
      throw err;
    }
    const r = await this.db('canned_responses').where({ tenant_id: tenantId, id }).first();
    return r && toWire(r);
  }

  async remove(tenantId: string, id: string): Promise<boolean> {
    return (await this.db('canned_responses').where({ tenant_id: tenantId, id }).delete()) > 0;
  }
}
