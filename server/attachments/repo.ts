import type { Db } from '../storage/db.js';

export interface AttachmentRow {
  tenantId: string;
  id: string;
  name: string;
  contentType: string;
  size: number;
  storageKey: string;
  uploaderType: 'agent' | 'contact';
  uploaderId: string;
  createdAt: number;
}

const fromRow = (r: Record<string, unknown>): AttachmentRow => ({
  tenantId: String(r['tenant_id']),
  id: String(r['id']),
  name: String(r['name']),
  contentType: String(r['content_type']),
  size: Number(r['size']),
  storageKey: String(r['storage_key']),
  uploaderType: r['uploader_type'] === 'agent' ? 'agent' : 'contact',
  uploaderId: String(r['uploader_id']),
  createdAt: Number(r['created_at']),
});

/** Attachment metadata, always read within one tenant. */
export class AttachmentRepo {
  constructor(private readonly db: Db) {}

  async insert(a: AttachmentRow): Promise<void> {
    await this.db('attachments').insert({
      tenant_id: a.tenantId,
      id: a.id,
      name: a.name,
      content_type: a.contentType,
      size: a.size,
      storage_key: a.storageKey,
      uploader_type: a.uploaderType,
      uploader_id: a.uploaderId,
      created_at: a.createdAt,
    });
  }

  async get(tenantId: string, id: string): Promise<AttachmentRow | undefined> {
    const r = await this.db('attachments').where({ tenant_id: tenantId, id }).first();
    return r ? fromRow(r) : undefined;
  }

  async getMany(tenantId: string, ids: string[]): Promise<AttachmentRow[]> {
    if (ids.length === 0) return [];
    const rows = await this.db('attachments').where({ tenant_id: tenantId }).whereIn('id', ids);
    return rows.map(fromRow);
  }
}
