import crypto from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Actor, Attachment } from '../contract/index.js';
import { AppError } from '../errors.js';
import { nowMs } from '../storage/db.js';
import { acceptable, acceptedType, baseType, cleanFileName } from './policy.js';
import type { AttachmentRepo, AttachmentRow } from './repo.js';
import type { AttachmentStorage } from './storage.js';

export interface AttachmentServiceDeps {
  repo: AttachmentRepo;
  storage: AttachmentStorage;
  maxBytes: number;
  /** Base of the absolute URLs put into messages (the hub's public URL). */
  publicUrl: () => string;
}

export interface Upload {
  name: string | undefined;
  contentType: string | undefined;
  /** `Content-Length` as declared by the client, if any; checked before reading. */
  declaredLength?: number | undefined;
  /** The file's bytes (an HTTP request body, for instance). */
  body: AsyncIterable<Buffer | string>;
}

/** At most this many files on one message. */
export const MAX_ATTACHMENTS_PER_MESSAGE = 10;

/** Accepts uploads, hands out their public form, and checks who may attach what. */
export class AttachmentService {
  constructor(private readonly deps: AttachmentServiceDeps) {}

  get maxBytes(): number {
    return this.deps.maxBytes;
  }

  async upload(actor: Actor, file: Upload): Promise<Attachment> {
    const type = baseType(file.contentType);
    if (!acceptedType(type)) throw new AppError('SB_ERR_ATTACHMENT_TYPE', `Not accepted: ${type || 'unknown type'}.`);
    const data = await this.read(file);
    if (!acceptable(type, data)) throw new AppError('SB_ERR_ATTACHMENT_TYPE', `Not accepted: ${type || 'unknown type'}, or the content does not match it.`);
    // Random, not time-ordered: the URL is the capability to read the file.
    const id = crypto.randomBytes(18).toString('base64url');
    const row: AttachmentRow = {
      tenantId: actor.tenantId,
      id,
      name: cleanFileName(file.name),
      contentType: type,
      size: data.length,
      storageKey: `${actor.tenantId}/${id}`,
      uploaderType: actor.type,
      uploaderId: actor.id,
      createdAt: nowMs(),
    };
    await this.deps.storage.put(row.storageKey, data);
    await this.deps.repo.insert(row);
    return this.toPublic(row);
  }

  /** Reads the body, refusing it as soon as it is known to be too large. */
  private async read(file: Upload): Promise<Buffer> {
    const tooLarge = () => new AppError('SB_ERR_ATTACHMENT_TOO_LARGE', `Files may be at most ${this.deps.maxBytes} bytes.`);
    if (file.declaredLength !== undefined && file.declaredLength > this.deps.maxBytes) throw tooLarge();
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of file.body) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += buf.length;
      if (size > this.deps.maxBytes) throw tooLarge();
      chunks.push(buf);
    }
    return Buffer.concat(chunks, size);
  }

  /**
   * The attachments `actor` may put on a message, in the order asked. Agents may attach any
   * file of their tenant; a visitor only its own uploads.
   */
  async forMessage(actor: Actor, ids: readonly string[] | undefined): Promise<Attachment[]> {
    if (!ids || ids.length === 0) return [];
    const unique = [...new Set(ids)];
    if (unique.length > MAX_ATTACHMENTS_PER_MESSAGE) throw new AppError('SB_ERR_VALIDATION', `attachments: at most ${MAX_ATTACHMENTS_PER_MESSAGE}`);
    const rows = await this.deps.repo.getMany(actor.tenantId, unique);
    const byId = new Map(rows.map((r) => [r.id, r]));
    return unique.map((id) => {
      const row = byId.get(id);
      const mine = row && (actor.type === 'agent' || (row.uploaderType === 'contact' && row.uploaderId === actor.id));
      if (!row || !mine) throw new AppError('SB_ERR_ATTACHMENT_NOT_FOUND', `No attachment ${id}.`);
      return this.toPublic(row);
    });
  }

  /** The file behind a public URL, or undefined. */
  async open(tenantId: string, id: string): Promise<{ row: AttachmentRow; stream: Readable } | undefined> {
    const row = await this.deps.repo.get(tenantId, id);
    if (!row) return undefined;
    const stream = await this.deps.storage.open(row.storageKey);
    return stream && { row, stream };
  }

  private toPublic(row: AttachmentRow): Attachment {
    return {
      id: row.id,
      name: row.name,
      contentType: row.contentType,
      size: row.size,
      url: `${this.deps.publicUrl()}/attachments/${encodeURIComponent(row.tenantId)}/${row.id}/${encodeURIComponent(row.name)}`,
    };
  }
}
