import crypto from 'node:crypto';
import { z } from 'zod';
import { Api, GrammyError } from 'grammy';
import type { ChannelCheckResult, InboxSetupResult } from '../../server/contract/index.js';

/** The public Bot API; a deployment may point an inbox at a self-hosted Bot API server instead. */
export const DEFAULT_API_ROOT = 'https://api.telegram.org';

/** Telegram refuses longer texts (in UTF-16 code units, after entity parsing; we send plain text). */
export const MAX_TEXT = 4096;
/** Longest photo/document caption. */
export const MAX_CAPTION = 1024;

/** Settings of `POST /api/v1/inboxes {channel:"telegram", settings}`. */
export const telegramSettingsSchema = z.object({
  botToken: z.string().trim().regex(/^\d{1,20}:[A-Za-z0-9_-]{20,100}$/, 'not a bot token (expected "<digits>:<secret>")'),
  apiRoot: z
    .string()
    .url()
    .refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL')
    .transform((u) => u.replace(/\/+$/, ''))
    .optional(),
  /** Kept on update: the secret Telegram sends back on every webhook request. */
  webhookSecret: z.string().regex(/^[A-Za-z0-9_-]{16,256}$/).optional(),
});

/** An inbox's settings as the adapter reads them back. */
export interface TelegramInboxConfig {
  botToken: string;
  apiRoot: string;
  webhookSecret: string;
}

export function readTelegramConfig(settings: Record<string, unknown>, secrets: Record<string, string>): TelegramInboxConfig {
  return {
    botToken: secrets['botToken'] ?? '',
    apiRoot: typeof settings['apiRoot'] === 'string' ? settings['apiRoot'] : DEFAULT_API_ROOT,
    webhookSecret: secrets['webhookSecret'] ?? '',
  };
}

/** A grammY API client for one bot (no SDK object leaves the adapter). */
export const apiFor = (cfg: Pick<TelegramInboxConfig, 'botToken' | 'apiRoot'>, timeoutSeconds = 30) =>
  new Api(cfg.botToken, { apiRoot: cfg.apiRoot, timeoutSeconds });

/** `getMe`: a field-level verdict on the token (and on `apiRoot` when the server is unreachable). */
export async function checkBot(cfg: Pick<TelegramInboxConfig, 'botToken' | 'apiRoot'>): Promise<ChannelCheckResult> {
  try {
    const me = await apiFor(cfg, 15).getMe();
    if (!me.is_bot) return { ok: false, field: 'botToken', message: 'the token does not belong to a bot' };
    return { ok: true, details: { botId: me.id, botUsername: me.username } };
  } catch (err) {
    if (err instanceof GrammyError) {
      return { ok: false, field: 'botToken', message: `Telegram refused the token (${err.error_code}: ${err.description})` };
    }
    return { ok: false, field: cfg.apiRoot === DEFAULT_API_ROOT ? 'botToken' : 'apiRoot', message: 'the Bot API server could not be reached' };
  }
}

/**
 * Validates the settings, checks the token with `getMe`, and splits them: the bot token and
 * the webhook secret are secrets; the API root and the bot's public identity are settings.
 */
export async function prepareTelegramInbox(input: unknown): Promise<InboxSetupResult> {
  const parsed = telegramSettingsSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { ok: false, field: issue.path.join('.') || 'botToken', message: issue.message };
  }
  const cfg = { botToken: parsed.data.botToken, apiRoot: parsed.data.apiRoot ?? DEFAULT_API_ROOT };
  const checked = await checkBot(cfg);
  if (!checked.ok) return checked;
  const settings: Record<string, unknown> = { ...checked.details };
  if (parsed.data.apiRoot) settings['apiRoot'] = parsed.data.apiRoot;
  return {
    ok: true,
    settings,
    secrets: { botToken: cfg.botToken, webhookSecret: parsed.data.webhookSecret ?? crypto.randomBytes(32).toString('base64url') },
  };
}
