import { z } from 'zod';
import type { InboxSetupResult, WebInboxView } from '../../server/contract/index.js';

/** A web origin; `javascript:`, `data:`, `file:` and the like have none (their origin is "null"). */
const origin = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).transform((u) => new URL(u).origin);

/** Settings of a web inbox, as given to `POST /api/v1/inboxes`. */
export const webSettingsSchema = z
  .object({
    /** Origins allowed to embed the widget; empty means any. */
    allowedOrigins: z.array(origin).max(100).default([]),
    /** When true, an `identity` must carry a valid HMAC `hash`. */
    requireIdentity: z.boolean().default(false),
    /** HMAC-SHA256 key for identity hashes; stored as a secret, never returned. */
    identitySecret: z.string().min(16).max(256).optional(),
    greeting: z.string().max(500).optional(),
    color: z.string().regex(/^#[0-9a-fA-F]{6}$/).optional(),
    position: z.enum(['left', 'right']).default('right'),
    /** Ask for name and email before the first message. */
    preChatForm: z.boolean().default(false),
  })
  .strict();

export interface WebSettings {
  allowedOrigins: string[];
  requireIdentity: boolean;
  greeting?: string;
  color?: string;
  position: 'left' | 'right';
  preChatForm: boolean;
}

/** Validates web inbox settings and moves the identity secret out of the public part. */
export function prepareWebInbox(input: unknown): InboxSetupResult {
  const r = webSettingsSchema.safeParse(input ?? {});
  if (!r.success) {
    const issue = r.error.issues[0]!;
    return { ok: false, field: issue.path.join('.') || 'settings', message: issue.message };
  }
  const { identitySecret, ...settings } = r.data;
  if (settings.requireIdentity && !identitySecret) {
    return { ok: false, field: 'identitySecret', message: 'required when requireIdentity is true' };
  }
  return { ok: true, settings, secrets: identitySecret ? { identitySecret } : {} };
}

export const readWebSettings = (settings: Record<string, unknown>): WebSettings => ({
  allowedOrigins: Array.isArray(settings['allowedOrigins']) ? (settings['allowedOrigins'] as string[]) : [],
  requireIdentity: settings['requireIdentity'] === true,
  position: settings['position'] === 'left' ? 'left' : 'right',
  preChatForm: settings['preChatForm'] === true,
  ...(typeof settings['greeting'] === 'string' ? { greeting: settings['greeting'] } : {}),
  ...(typeof settings['color'] === 'string' ? { color: settings['color'] } : {}),
});

/** True when `origin` may use the inbox (no Origin header means a non-browser client). */
export function originAllowed(settings: WebSettings, origin: string | undefined): boolean {
  if (!origin || settings.allowedOrigins.length === 0) return true;
  if (origin === 'null') return false;
  return settings.allowedOrigins.includes(origin);
}

/** Public widget settings a visitor may see (no secrets). */
export function publicInbox(inbox: WebInboxView, agentsOnline: boolean, maxAttachmentBytes: number) {
  const s = readWebSettings(inbox.settings);
  return {
    id: inbox.inboxId,
    name: inbox.name,
    greeting: s.greeting ?? null,
    color: s.color ?? null,
    position: s.position,
    preChatForm: s.preChatForm,
    agentsOnline,
    maxAttachmentBytes,
  };
}

