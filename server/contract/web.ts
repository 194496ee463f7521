import type { ChannelName } from './domain.js';

/** A web inbox as the web channel sees it. */
export interface WebInboxView {
  tenantId: string;
  inboxId: string;
  settings: Record<string, unknown>;
  secrets: Record<string, string>;
}

/** What the core offers the web channel; implemented in the composition root. */
export interface WebChannelHost {
  findWebInbox(websiteToken: string): Promise<WebInboxView | undefined>;
  /** The contact behind `externalId` in the inbox, if any. */
  findContact(tenantId: string, inboxId: string, externalId: string): Promise<string | undefined>;
  /** The contact behind `externalId` in the inbox, created (with `fields`) when new. */
  resolveContact(
    tenantId: string,
    identity: { inboxId: string; channel: ChannelName; externalId: string },
    fields: { name?: string | undefined; email?: string | undefined },
  ): Promise<{ contactId: string; created: boolean }>;
  /** Updates the contact's name/email when the host page tells us who the visitor is. */
  updateContact(tenantId: string, contactId: string, fields: { name?: string | undefined; email?: string | undefined }): Promise<void>;
  issueVisitorToken(tenantId: string, contactId: string, inboxId: string): Promise<string>;
}
