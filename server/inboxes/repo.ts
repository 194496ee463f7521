import type { ChannelName, Inbox } from '../contract/index.js';
import type { Db } from '../storage/db.js';
import { nowMs, parseJson, toIso } from '../storage/db.js';
import { newId } from '../ids.js';

export interface InboxRecord {
  tenantId: string;
  id: string;
  name: string;
  channel: ChannelName;
  settings: Record<string, unknown>;
  secrets: Record<string, string>;
  websiteToken: string | null;
  createdAt: number;
}

interface NewInbox {
  name: string;
  channel: ChannelName;
  settings: Record<string, unknown>;
  secrets: Record<string, string>;
  websiteToken: string | null;
}

const toRecord = (r: Record<string, unknown>): InboxRecord => ({
  tenantId: r['tenant_id'] as string,
  id: r['id'] as string,
  name: r['name'] as string,
  channel: r['channel'] as ChannelName,
  settings: parseJson(r['settings'], {}),
  secrets: parseJson(r['secrets'], {}),
  websiteToken: (r['website_token'] as string | null) ?? null,
  createdAt: Number(r['created_at']),
});

/** Inboxes: one channel each, public settings and secrets kept apart. */
export class InboxRepo {
  constructor(private readonly db: Db) {}

  async create(tenantId: string, input: NewInbox): Promise<InboxRecord> {
    const row = {
      tenant_id: tenantId,
      id: newId(),
      name: input.name,
      channel: input.channel,
      settings: JSON.stringify(input.settings),
      secrets: JSON.stringify(input.secrets),
      website_token: input.websiteToken,
      created_at: nowMs(),
    };
    await this.db('inboxes').insert(row);
    return toRecord(row);
  }

  async update(tenantId: string, id: string, patch: { name: string; settings: Record<string, unknown>; secrets: Record<string, string> }): Promise<InboxRecord | undefined> {
    const n = await this.db('inboxes')
      .where({ tenant_id: tenantId, id })
      .update({ name: patch.name, settings: JSON.stringify(patch.settings), secrets: JSON.stringify(patch.secrets) });
    return n ? this.get(tenantId, id) : undefined;
  }

  async get(tenantId: string, id: string): Promise<InboxRecord | undefined> {
    const r = await this.db('inboxes').where({ tenant_id: tenantId, id }).first();
    return r ? toRecord(r) : undefined;
  }

  async list(tenantId: string): Promise<InboxRecord[]> {
    const rows = await this.db('inboxes').where({ tenant_id: tenantId }).orderBy('created_at');
    return rows.map(toRecord);
  }

  /** An inbox by id whatever its tenant: only for provider webhooks, whose URL names no tenant. */
  async findForWebhook(channel: ChannelName, id: string): Promise<InboxRecord | undefined> {
    const r = await this.db('inboxes').where({ channel, id }).first();
    return r ? toRecord(r) : undefined;
  }

  /** Every inbox of a channel across tenants (a node starts their pollers and webhooks at boot). */
  async listByChannel(channel: ChannelName): Promise<InboxRecord[]> {
    const rows = await this.db('inboxes').where({ channel }).orderBy('created_at');
    return rows.map(toRecord);
  }

  /** The web inbox behind a public website token, whatever its tenant. */
  async findByWebsiteToken(token: string): Promise<InboxRecord | undefined> {
    const r = await this.db('inboxes').where({ website_token: token }).first();
    return r ? toRecord(r) : undefined;
  }
}

/** The wire form of an inbox: secrets left out, URLs filled in. */
export function toWireInbox(inbox: InboxRecord, publicUrl: string, usesWebhook: boolean): Inbox {
  const wire: Inbox = {
    id: inbox.id,
    name: inbox.name,
    channel: inbox.channel,
    settings: inbox.settings,
    createdAt: toIso(inbox.createdAt)!,
  };
  if (inbox.websiteToken) wire.websiteToken = inbox.websiteToken;
  if (usesWebhook) wire.webhookUrl = `${publicUrl}/webhooks/${inbox.channel}/${inbox.id}`;
  return wire;
}
