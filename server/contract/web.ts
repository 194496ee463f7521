import type { Actor, Attachment, ChannelName, Contact, Conversation } from './domain.js';

export type VisitorActor = Extract<Actor, { type: 'contact' }>;

/** A web inbox as the web channel sees it. */
export interface WebInboxView {
  tenantId: string;
  inboxId: string;
  name: string;
  settings: Record<string, unknown>;
  secrets: Record<string, string>;
}

export interface ContactUpdate {
  name?: string | undefined;
  email?: string | undefined;
  attributes?: Record<string, string | number | boolean | null> | undefined;
}

/** What the core offers the web channel; implemented in the composition root. */
export interface WebChannelHost {
  findWebInbox(websiteToken: string): Promise<WebInboxView | undefined>;
  getWebInbox(tenantId: string, inboxId: string): Promise<WebInboxView | undefined>;
  /** The contact behind `externalId` in the inbox, if any. */
  findContact(tenantId: string, inboxId: string, externalId: string): Promise<string | undefined>;
  /** The contact behind `externalId` in the inbox, created (with `fields`) when new. */
  resolveContact(
    tenantId: string,
    identity: { inboxId: string; channel: ChannelName; externalId: string },
    fields: { name?: string | undefined; email?: string | undefined },
  ): Promise<{ contactId: string; created: boolean }>;
  /** Updates what the host page or the pre-chat form tells us about the visitor. */
  updateContact(tenantId: string, contactId: string, fields: ContactUpdate): Promise<Contact | undefined>;
  issueVisitorToken(tenantId: string, contactId: string, inboxId: string): Promise<string>;
  /** Verifies a visitor token; throws `SB_ERR_INVALID_TOKEN` (or `SB_ERR_FORBIDDEN` for an agent token). */
  verifyVisitor(token: string): Promise<VisitorActor>;
  /** The visitor's conversations in its inbox, newest first. */
  visitorConversations(actor: VisitorActor): Promise<Conversation[]>;
  /** Stores an uploaded file for the visitor (limits and type checks included). */
  uploadAttachment(
    actor: VisitorActor,
    file: { name: string | undefined; contentType: string | undefined; declaredLength: number | undefined; body: AsyncIterable<Buffer | string> },
  ): Promise<Attachment>;
  /** Largest accepted upload, in bytes (the widget checks before uploading). */
  readonly maxUploadBytes: number;
  /** Whether any agent of the tenant is connected right now. */
  agentsOnline(tenantId: string): Promise<boolean>;
}
