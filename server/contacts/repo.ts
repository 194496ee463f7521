import type { ChannelName, Contact, ContactIdentity, Page } from '../contract/index.js';
import type { Db } from '../storage/db.js';
import { nowMs, parseJson, toIso } from '../storage/db.js';
import { encodeCursor, requireCursor } from '../storage/cursor.js';
import { newId } from '../ids.js';
import { isUniqueViolation } from '../errors.js';

export interface ContactFields {
  name?: string | null | undefined;
  email?: string | null | undefined;
  phone?: string | null | undefined;
  attributes?: Record<string, unknown> | undefined;
}

type ContactCursor = [number, string];
const isContactCursor = (v: unknown): v is ContactCursor =>
  Array.isArray(v) && v.length === 2 && typeof v[0] === 'number' && typeof v[1] === 'string';

/** Contacts and their channel identities (one contact, several identities). */
export class ContactRepo {
  constructor(private readonly db: Db) {}

  async get(tenantId: string, id: string): Promise<Contact | undefined> {
    const r = await this.db('contacts').where({ tenant_id: tenantId, id }).first();
    if (!r) return undefined;
    const ids = await this.db('contact_identities').where({ tenant_id: tenantId, contact_id: id }).orderBy('created_at');
    return toContact(r, ids);
  }

  /** Contacts newest first, optionally filtered by a name/email substring. */
  async list(tenantId: string, opts: { q?: string | undefined; limit: number; cursor?: string | undefined }): Promise<Page<Contact>> {
    const q = this.db('contacts').where({ tenant_id: tenantId });
    if (opts.q) {
      const like = `%${opts.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      q.andWhere((w) => w.whereRaw("lower(name) like ? escape '\\'", [like]).orWhereRaw("lower(email) like ? escape '\\'", [like]));
    }
    const after = requireCursor(opts.cursor, isContactCursor);
    if (after) q.andWhere((w) => w.where('created_at', '<', after[0]).orWhere((w2) => w2.where('created_at', after[0]).andWhere('id', '<', after[1])));
    const rows = await q.orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id', order: 'desc' }]).limit(opts.limit + 1);
    const page = rows.slice(0, opts.limit);
    const ids = page.length
      ? await this.db('contact_identities').where({ tenant_id: tenantId }).whereIn('contact_id', page.map((r) => r.id))
      : [];
    const last = page[page.length - 1];
    return {
      items: page.map((r) => toContact(r, ids.filter((i) => i.contact_id === r.id))),
      nextCursor: rows.length > opts.limit && last ? encodeCursor([Number(last.created_at), last.id]) : null,
    };
  }

  async update(tenantId: string, id: string, fields: ContactFields): Promise<Contact | undefined> {
    const patch: Record<string, unknown> = { updated_at: nowMs() };
    if (fields.name !== undefined) patch['name'] = fields.name;
    if (fields.email !== undefined) patch['email'] = fields.email;
    if (fields.phone !== undefined) patch['phone'] = fields.phone;
    if (fields.attributes !== undefined) {
      const current = await this.get(tenantId, id);
      if (!current) return undefined;
      patch['attributes'] = JSON.stringify({ ...current.attributes, ...fields.attributes });
    }
    const n = await this.db('contacts').where({ tenant_id: tenantId, id }).update(patch);
    return n ? this.get(tenantId, id) : undefined;
  }

  /**
   * The contact behind a channel identity, created with `fields` when unknown. Two racing
   * first messages from one identity resolve to the same contact.
   */
  async resolveIdentity(
    tenantId: string,
    identity: { inboxId: string; channel: ChannelName; externalId: string },
    fields: ContactFields,
  ): Promise<{ contactId: string; created: boolean }> {
    const existing = await this.findByIdentity(tenantId, identity.inboxId, identity.externalId);
    if (existing) return { contactId: existing, created: false };
    const now = nowMs();
    const contactId = newId();
    try {
      await this.db.transaction(async (trx) => {
        await trx('contacts').insert({
          tenant_id: tenantId,
          id: contactId,
          name: fields.name ?? null,
          email: fields.email ?? null,
          phone: fields.phone ?? null,
          attributes: JSON.stringify(fields.attributes ?? {}),
          created_at: now,
          updated_at: now,
        });
        await trx('contact_identities').insert({
          tenant_id: tenantId,
          inbox_id: identity.inboxId,
          external_id: identity.externalId,
          channel: identity.channel,
          contact_id: contactId,
          created_at: now,
        });
      });
      return { contactId, created: true };
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      const winner = await this.findByIdentity(tenantId, identity.inboxId, identity.externalId);
      if (!winner) throw err;
      return { contactId: winner, created: false };
    }
  }

  async findByIdentity(tenantId: string, inboxId: string, externalId: string): Promise<string | undefined> {
    const r = await this.db('contact_identities')
      .where({ tenant_id: tenantId, inbox_id: inboxId, external_id: externalId })
      .first('contact_id');
    return r?.contact_id;
  }
}

function toContact(r: Record<string, unknown>, identities: Record<string, unknown>[]): Contact {
  return {
    id: r['id'] as string,
    name: (r['name'] as string | null) ?? null,
    email: (r['email'] as string | null) ?? null,
    phone: (r['phone'] as string | null) ?? null,
    attributes: parseJson(r['attributes'], {}),
    identities: identities.map(
      (i): ContactIdentity => ({
        inboxId: i['inbox_id'] as string,
        channel: i['channel'] as ChannelName,
        externalId: i['external_id'] as string,
      }),
    ),
    createdAt: toIso(r['created_at'] as number)!,
    updatedAt: toIso(r['updated_at'] as number)!,
  };
}
