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
