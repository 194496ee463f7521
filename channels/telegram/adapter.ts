import crypto from 'node:crypto';
import { GrammyError } from 'grammy';
import type { Update } from 'grammy/types';
import {
  ChannelSendError,
  type ChannelHost,
  type ChannelInbox,
  type ProviderChannel,
} from '../../server/contract/index.js';
import { apiFor, checkBot, prepareTelegramInbox, readTelegramConfig, type TelegramInboxConfig } from './config.js';
import { normalizeUpdate, type FileDownloader } from './inbound.js';
import { sendOutbound } from './outbound.js';
import { pollUpdates } from './polling.js';

export { splitText, planParts, classifySendError } from './outbound.js';
export { normalizeUpdate, updateKey, chatIdOf } from './inbound.js';

export interface TelegramChannelOptions {
  /**
   * Base URL of this deployment (`PUBLIC_URL`). When set, inboxes register a webhook at
   * `{webhookBaseUrl}/webhooks/telegram/:inboxId`; when unset, they use long polling.
   */
  webhookBaseUrl?: string | undefined;
  /** `getUpdates` long-poll timeout in seconds. Default 25. */
  pollTimeoutSeconds?: number;
}

const SECRET_HEADER = 'x-telegram-bot-api-secret-token';

function sameSecret(given: unknown, expected: string): boolean {
  if (typeof given !== 'string' || !expected) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

/** Downloads a file through `getFile` and `/file/bot<token>/<path>`, refusing more than `maxBytes`. */
function fileDownloader(cfg: TelegramInboxConfig): FileDownloader {
  return async (fileId, maxBytes) => {
    let path: string | undefined;
    try {
      path = (await apiFor(cfg).getFile(fileId)).file_path;
    } catch (err) {
      // 4xx (e.g. "file is too big" above the Bot API's 20 MB) will not get better by retrying.
      if (err instanceof GrammyError && err.error_code < 500 && err.error_code !== 429) throw new ChannelSendError('rejected', `getFile: ${err.description}`);
      throw err;
    }
    if (!path) throw new ChannelSendError('rejected', 'getFile returned no file_path');
    const res = await fetch(`${cfg.apiRoot}/file/bot${cfg.botToken}/${path}`);
    if (res.status >= 400 && res.status < 500) throw new ChannelSendError('rejected', `file download: HTTP ${res.status}`);
    if (!res.ok || !res.body) throw new Error(`file download: HTTP ${res.status}`);
    const declared = Number(res.headers.get('content-length') ?? NaN);
    if (declared > maxBytes) throw new ChannelSendError('rejected', `file larger than ${maxBytes} bytes`);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      size += chunk.length;
      if (size > maxBytes) throw new ChannelSendError('rejected', `file larger than ${maxBytes} bytes`);
      chunks.push(Buffer.from(chunk));
    }
    return Buffer.concat(chunks, size);
  };
}

/**
 * The Telegram channel: a bot per inbox. Inbound through a webhook (`PUBLIC_URL` set) or long
 * polling on one node at a time (the host's lease); outbound through the Bot API as plain text,
 * photos and documents. Built on grammY's `Api`; no grammY object leaves this folder.
 */
export function createTelegramChannel(options: TelegramChannelOptions = {}): ProviderChannel {
  const pollTimeoutSeconds = options.pollTimeoutSeconds ?? 25;
  const pollers = new Map<string, { abort: AbortController; done: Promise<void> }>();

  const stopOne = async (inboxId: string) => {
    const p = pollers.get(inboxId);
    if (!p) return;
    pollers.delete(inboxId);
    p.abort.abort();
    await p.done;
  };

  const ingest = async (inbox: ChannelInbox, cfg: TelegramInboxConfig, update: Update, host: ChannelHost) => {
    const message = normalizeUpdate(update, inbox.inboxId, fileDownloader(cfg));
    if (message) await host.receive(inbox, message);
  };

  return {
    name: 'telegram',
    usesWebhook: Boolean(options.webhookBaseUrl),
    prepareInbox: prepareTelegramInbox,

    check: (inbox) => checkBot(readTelegramConfig(inbox.settings, inbox.secrets)),

    async start(inbox, host) {
      const cfg = readTelegramConfig(inbox.settings, inbox.secrets);
      await stopOne(inbox.inboxId);
      if (options.webhookBaseUrl) {
        await apiFor(cfg).setWebhook(`${options.webhookBaseUrl}/webhooks/telegram/${inbox.inboxId}`, {
          secret_token: cfg.webhookSecret,
          allowed_updates: ['message', 'edited_message'],
        });
        host.log.info({ inboxId: inbox.inboxId }, 'telegram webhook registered');
        return;
      }
      const abort = new AbortController();
      const api = apiFor(cfg, pollTimeoutSeconds + 15);
      const done = host.whileLeader(
        `telegram:poll:${inbox.inboxId}`,
        async (signal) => {
          host.log.info({ inboxId: inbox.inboxId }, 'telegram polling started on this node');
          // getUpdates is refused while a webhook is set (e.g. left over from webhook mode).
          await api.deleteWebhook().catch((err) => host.log.warn({ inboxId: inbox.inboxId, err: { message: String(err) } }, 'deleteWebhook failed'));
          await pollUpdates(api, {
            timeoutSeconds: pollTimeoutSeconds,
            signal,
            onUpdate: (update) => ingest(inbox, cfg, update, host),
            onError: (err) => host.log.warn({ inboxId: inbox.inboxId, err: { message: err instanceof Error ? err.message : String(err) } }, 'telegram polling failed; retrying'),
          });
        },
        abort.signal,
      );
      pollers.set(inbox.inboxId, { abort, done });
    },

    async stop(inboxId) {
      if (inboxId) return stopOne(inboxId);
      await Promise.all([...pollers.keys()].map(stopOne));
    },

    send: (inbox, message) => sendOutbound(apiFor(readTelegramConfig(inbox.settings, inbox.secrets)), message),

    async webhook(inbox, request, host) {
      const cfg = readTelegramConfig(inbox.settings, inbox.secrets);
      if (!sameSecret(request.headers[SECRET_HEADER], cfg.webhookSecret)) return 401;
      const body = request.body as Partial<Update> | undefined;
      if (!body || typeof body !== 'object' || !Number.isSafeInteger(body.update_id)) return 400;
      await ingest(inbox, cfg, body as Update, host);
      return 200;
    },
  };
}
