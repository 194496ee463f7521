import type { ChannelName } from './domain.js';

/** What a channel makes of the `settings` given to `POST /api/v1/inboxes`. */
export type InboxSetupResult =
  | {
      ok: true;
      /** Public settings, returned by the API. */
      settings: Record<string, unknown>;
      /** Secrets, stored but never returned or logged. */
      secrets: Record<string, string>;
    }
  | { ok: false; field: string; message: string };

/**
 * The part of a channel adapter the core needs to create inboxes. Later channels extend it
 * with lifecycle (`check`, `start`, `stop`) and outbound delivery.
 */
export interface ChannelDefinition {
  readonly name: ChannelName;
  /** True when the channel receives provider webhooks at `/webhooks/<name>/:inboxId`. */
  readonly usesWebhook: boolean;
  /** Validates and splits inbox settings into public settings and secrets. */
  prepareInbox(input: unknown): InboxSetupResult | Promise<InboxSetupResult>;
}

/* ------------------------------------------------------------------------------------------
 * Provider channels (Telegram first): lifecycle, inbound normalization and outbound delivery.
 * Everything below is plain data and functions; no SDK object ever crosses this boundary.
 * ---------------------------------------------------------------------------------------- */

/** Result of checking credentials: which field is wrong, never a silent pass. */
export type ChannelCheckResult = { ok: true; details?: Record<string, unknown> } | { ok: false; field: string; message: string };

/** An inbox as a provider channel sees it (secrets included; never log it whole). */
export interface ChannelInbox {
  tenantId: string;
  inboxId: string;
  name: string;
  settings: Record<string, unknown>;
  secrets: Record<string, string>;
}

/** A file the provider holds; the core downloads it through `download` and stores it. */
export interface InboundFile {
  kind: 'image' | 'file';
  name: string;
  contentType: string;
  /** Declared size in bytes, when the provider tells it (checked before downloading). */
  size?: number | undefined;
  download(maxBytes: number): Promise<Buffer>;
}

/** A party on the provider side: a user, or a group chat seen as one conversation. */
export interface ExternalParty {
  /** Stable id inside the inbox, namespaced by the adapter (e.g. `user:42`, `chat:-100…`). */
  externalId: string;
  name: string | null;
}

/** One provider message, normalized. */
export interface InboundMessage {
  channel: ChannelName;
  /** Idempotency key of the provider event (e.g. `tg:<inboxId>:<update_id>`). */
  dedupKey: string;
  /** Who the conversation is with: the user in a private chat, the group for a group chat. */
  conversation: ExternalParty;
  /** Who wrote this message (a group member, or the same user as `conversation`). */
  sender: ExternalParty;
  body: string;
  files: InboundFile[];
  /** Provider id of the message (for replies), e.g. the Telegram `message_id`. */
  providerMessageId?: string | undefined;
  /** Extra facts the adapter learned about the sender, stored on the contact's attributes. */
  senderAttributes?: Record<string, string | number | boolean | null> | undefined;
}

/** A file to send, with its bytes read lazily from the attachments module. */
export interface OutboundFile {
  name: string;
  contentType: string;
  read(): Promise<Buffer>;
}

/** One outbound message to a provider party. */
export interface OutboundMessage {
  /** The conversation's party (`ExternalParty.externalId`). */
  to: string;
  text: string;
  files: OutboundFile[];
  /** Provider message id to answer (`reply_parameters`), if any. */
  replyTo?: string | undefined;
  /**
   * Parts (text chunks and files, in send order) already sent by an earlier attempt; the
   * adapter skips them so a retry never sends a part twice.
   */
  partsSent: number;
  /** Called after each part is accepted by the provider, so progress survives a failure. */
  onPartSent(part: number, providerMessageId: string): Promise<void>;
}

/**
 * Why a send failed: `retry` (rate limit, 5xx, network; `afterMs` when the provider said how
 * long to wait), `unreachable` (the user blocked the bot or left), `rejected` (the provider
 * refused the request itself; retrying would not help).
 */
export class ChannelSendError extends Error {
  constructor(
    readonly kind: 'retry' | 'unreachable' | 'rejected',
    message: string,
    readonly afterMs?: number,
  ) {
    super(message);
    this.name = 'ChannelSendError';
  }
}

/** What the core offers a running provider channel. */
export interface ChannelHost {
  /** Stores one inbound message durably; resolves once written (`duplicate` for a known key). */
  receive(inbox: ChannelInbox, message: InboundMessage): Promise<{ duplicate: boolean }>;
  /**
   * Runs `work` only while this node holds the named lease (one holder across all nodes). The
   * signal aborts when the lease is lost or the channel stops; `work` is started again when
   * this node wins the lease again. Resolves when stopped.
   */
  whileLeader(name: string, work: (signal: AbortSignal) => Promise<void>, signal: AbortSignal): Promise<void>;
  /** Structured logger for the channel (secrets redacted by the core). */
  log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

/**
 * A channel that talks to an external provider. `ChannelDefinition` stays valid on its own
 * (the web channel); a provider channel adds lifecycle and outbound delivery.
 */
export interface ProviderChannel extends ChannelDefinition {
  /** Checks stored credentials against the provider (field-level result). */
  check(inbox: ChannelInbox): Promise<ChannelCheckResult>;
  /** Connects an inbox: registers its webhook or starts polling. Idempotent. */
  start(inbox: ChannelInbox, host: ChannelHost): Promise<void>;
  /** Disconnects an inbox (stops polling); with no id, every inbox. */
  stop(inboxId?: string): Promise<void>;
  /** Sends one outbound message; throws `ChannelSendError` on failure. */
  send(inbox: ChannelInbox, message: OutboundMessage): Promise<void>;
  /**
   * Handles one provider webhook request for the inbox: verifies it (a bad secret or signature
   * → 401, nothing stored), normalizes it and hands it to `host.receive`. Resolves with the
   * HTTP status to answer.
   */
  webhook?(inbox: ChannelInbox, request: { headers: Record<string, string | string[] | undefined>; body: unknown }, host: ChannelHost): Promise<number>;
}

/** True when a channel definition is a provider channel. */
export const isProviderChannel = (c: ChannelDefinition): c is ProviderChannel =>
  typeof (c as Partial<ProviderChannel>).send === 'function' && typeof (c as Partial<ProviderChannel>).start === 'function';
