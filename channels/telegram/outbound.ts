import { GrammyError, HttpError, InputFile, type Api } from 'grammy';
import { ChannelSendError, type OutboundMessage } from '../../server/contract/index.js';
import { MAX_CAPTION, MAX_TEXT } from './config.js';
import { chatIdOf } from './inbound.js';

/**
 * Splits text into chunks of at most `max` UTF-16 code units, preferring a paragraph break,
 * then a line break, then a space, and never cutting a surrogate pair in two.
 */
export function splitText(text: string, max = MAX_TEXT): string[] {
  if (max < 2) throw new RangeError('max must be at least 2');
  const parts: string[] = [];
  let rest = text;
  while (rest.length > max) {
    let cut = -1;
    for (const sep of ['\n\n', '\n', ' ']) {
      const at = rest.lastIndexOf(sep, max - sep.length);
      if (at > max / 2) {
        cut = at + sep.length;
        break;
      }
    }
    if (cut < 0) {
      cut = max;
      const code = rest.charCodeAt(cut - 1);
      if (code >= 0xd800 && code <= 0xdbff) cut--; // a high surrogate: keep the pair together
    }
    parts.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  if (rest.length > 0 || parts.length === 0) parts.push(rest);
  return parts;
}

/** One API call of an outbound message, in send order. */
export type Part =
  | { kind: 'text'; text: string }
  | { kind: 'photo' | 'document'; index: number; caption?: string | undefined };

/**
 * The calls one outbound message becomes: a short text rides as the caption of a single file;
 * otherwise text chunks go first, then each file (images as photos, the rest as documents).
 */
export function planParts(message: Pick<OutboundMessage, 'text' | 'files'>): Part[] {
  const fileParts = message.files.map((f, index): Part => ({ kind: f.contentType.startsWith('image/') && f.contentType !== 'image/gif' ? 'photo' : 'document', index }));
  const text = message.text;
  if (fileParts.length === 1 && text.length > 0 && text.length <= MAX_CAPTION) return [{ ...(fileParts[0] as Extract<Part, { index: number }>), caption: text }];
  const textParts: Part[] = text.trim().length ? splitText(text).map((t) => ({ kind: 'text', text: t })) : [];
  return [...textParts, ...fileParts];
}

/** Maps a grammY failure to the core's verdict: retry (with the wait Telegram asked for), unreachable, or rejected. */
export function classifySendError(err: unknown): ChannelSendError {
  if (err instanceof ChannelSendError) return err;
  if (err instanceof GrammyError) {
    const what = `${err.method}: ${err.error_code} ${err.description}`;
    if (err.error_code === 429) return new ChannelSendError('retry', what, (err.parameters.retry_after ?? 1) * 1000);
    if (err.error_code >= 500) return new ChannelSendError('retry', what);
    if (err.error_code === 403) return new ChannelSendError('unreachable', what);
    // "chat not found" after the user deleted their account behaves like a block, too.
    if (err.error_code === 400 && /chat not found|user is deactivated/i.test(err.description)) return new ChannelSendError('unreachable', what);
    return new ChannelSendError('rejected', what);
  }
  if (err instanceof HttpError) return new ChannelSendError('retry', `network: ${err.message}`);
  return new ChannelSendError('retry', err instanceof Error ? err.message : String(err));
}

/**
 * Sends an outbound message as plain text (no `parse_mode`: nothing needs escaping), skipping
 * the parts an earlier attempt already delivered.
 */
export async function sendOutbound(api: Api, message: OutboundMessage): Promise<void> {
  const chatId = chatIdOf(message.to);
  if (chatId === undefined) throw new ChannelSendError('rejected', `not a Telegram party: ${message.to}`);
  const parts = planParts(message);
  const replyTo = message.replyTo ? Number(message.replyTo) : undefined;
  const reply = replyTo ? { reply_parameters: { message_id: replyTo, allow_sending_without_reply: true } } : {};
  for (let i = message.partsSent; i < parts.length; i++) {
    const part = parts[i]!;
    try {
      let sent: { message_id: number };
      if (part.kind === 'text') {
        sent = await api.sendMessage(chatId, part.text, { ...reply, link_preview_options: { is_disabled: true } });
      } else {
        const file = message.files[part.index]!;
        const input = new InputFile(await file.read(), file.name);
        const caption = part.caption ? { caption: part.caption } : {};
        sent = part.kind === 'photo' ? await api.sendPhoto(chatId, input, { ...reply, ...caption }) : await api.sendDocument(chatId, input, { ...reply, ...caption });
      }
      await message.onPartSent(i + 1, String(sent.message_id));
    } catch (err) {
      throw classifySendError(err);
    }
  }
}
