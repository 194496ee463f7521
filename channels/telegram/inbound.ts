import type { Message, Update, User, Chat } from 'grammy/types';
import type { ExternalParty, InboundFile, InboundMessage } from '../../server/contract/index.js';

/** Fetches a file the Bot API holds, by `file_id`, refusing more than `maxBytes`. */
export type FileDownloader = (fileId: string, maxBytes: number) => Promise<Buffer>;

/** The dedup key of one update: the same update delivered twice stores one message. */
export const updateKey = (inboxId: string, updateId: number) => `tg:${inboxId}:${updateId}`;

/** `user:<id>` for a person, `chat:<id>` for a group; the chat id to send to is recoverable. */
export const userParty = (u: User): ExternalParty => ({
  externalId: `user:${u.id}`,
  name: [u.first_name, u.last_name].filter(Boolean).join(' ') || u.username || null,
});
const chatParty = (c: Chat): ExternalParty =>
  c.type === 'private'
    ? { externalId: `user:${c.id}`, name: [c.first_name, c.last_name].filter(Boolean).join(' ') || c.username || null }
    : { externalId: `chat:${c.id}`, name: 'title' in c ? (c.title ?? null) : null };

/** The chat id behind an `ExternalParty.externalId` made by this module. */
export function chatIdOf(externalId: string): number | undefined {
  const m = /^(?:user|chat):(-?\d+)$/.exec(externalId);
  return m ? Number(m[1]) : undefined;
}

const EXCERPT = 80;
const excerpt = (text: string) => (text.length > EXCERPT ? `${text.slice(0, EXCERPT - 1)}…` : text);

/** What a message says as text: its text or caption, a sticker's emoji, or a short placeholder. */
function textOf(m: Message): string {
  if (m.text !== undefined) return m.text;
  if (m.caption !== undefined) return m.caption;
  if (m.sticker) return m.sticker.emoji ?? '[sticker]';
  if (m.photo || m.document) return '';
  if (m.location) return `[location ${m.location.latitude}, ${m.location.longitude}]`;
  if (m.contact) return `[contact ${m.contact.first_name} ${m.contact.phone_number}]`;
  if (m.voice) return '[voice message]';
  if (m.audio) return '[audio]';
  if (m.video) return '[video]';
  return '[unsupported message]';
}

function filesOf(m: Message, download: FileDownloader): InboundFile[] {
  const files: InboundFile[] = [];
  if (m.photo && m.photo.length) {
    // Sizes come smallest first; the last is the original resolution.
    const best = m.photo[m.photo.length - 1]!;
    files.push({ kind: 'image', name: `photo-${m.message_id}.jpg`, contentType: 'image/jpeg', size: best.file_size, download: (max) => download(best.file_id, max) });
  }
  if (m.document) {
    const d = m.document;
    files.push({
      kind: d.mime_type?.startsWith('image/') ? 'image' : 'file',
      name: d.file_name ?? `file-${m.message_id}`,
      contentType: d.mime_type ?? 'application/octet-stream',
      size: d.file_size,
      download: (max) => download(d.file_id, max),
    });
  }
  return files;
}

/**
 * Turns one Bot API `Update` into an `InboundMessage`, or `null` for updates that carry no
 * customer message (channel posts, bot status changes, service messages, …).
 */
export function normalizeUpdate(update: Update, inboxId: string, download: FileDownloader): InboundMessage | null {
  const edited = update.edited_message !== undefined;
  const m = update.message ?? update.edited_message;
  if (!m || !m.from || m.from.is_bot) return null;
  if (m.new_chat_members || m.left_chat_member || m.new_chat_title || m.group_chat_created || m.pinned_message) return null;

  let body = textOf(m);
  const senderAttributes: Record<string, string | number | boolean | null> = { telegramUserId: m.from.id };
  if (m.from.username) senderAttributes['telegramUsername'] = m.from.username;
  const start = /^\/start(?:@\w+)?(?:\s+(\S+))?\s*$/.exec(m.text ?? '');
  if (start && start[1]) senderAttributes['telegramStartPayload'] = start[1];
  if (m.reply_to_message) {
    const quoted = textOf(m.reply_to_message);
    body = `↩ ${quoted ? `“${excerpt(quoted)}”` : 'reply'}\n${body}`;
  }
  if (edited) body = `✎ edited: ${body}`;

  return {
    channel: 'telegram',
    dedupKey: updateKey(inboxId, update.update_id),
    conversation: chatParty(m.chat),
    sender: userParty(m.from),
    body,
    files: filesOf(m, download),
    providerMessageId: String(m.message_id),
    senderAttributes,
  };
}
