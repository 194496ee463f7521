import type { Attachment, ChannelInbox, InboundMessage } from '../contract/index.js';
import { AppError } from '../errors.js';
import type { AttachmentService } from '../attachments/service.js';
import type { ContactRepo } from '../contacts/repo.js';
import type { MessageRepo } from '../messages/repo.js';
import type { ConversationService } from '../conversations/service.js';
import { ChannelSendError } from '../contract/index.js';

export interface IngestDeps {
  contacts: ContactRepo;
  messages: MessageRepo;
  conversations: ConversationService;
  attachments: AttachmentService;
}

/** A file that will never be stored (too large, a refused type, gone at the provider): say so in the message. */
function permanentFileProblem(err: unknown): string | undefined {
  if (err instanceof AppError && (err.code === 'SB_ERR_ATTACHMENT_TOO_LARGE' || err.code === 'SB_ERR_ATTACHMENT_TYPE')) return err.message;
  if (err instanceof ChannelSendError && err.kind === 'rejected') return err.message;
  return undefined;
}

/**
 * Where provider channels hand inbound messages to the core: resolves the sender and the
 * conversation's party to contacts (a group is one contact, each member another), downloads
 * and stores files through the attachments module, and appends the message idempotently.
 * Resolves only once the message is durable; a transient failure (a file download that
 * failed on the network) throws, so the provider's update is not confirmed and comes again.
 */
export class ChannelIngest {
  constructor(private readonly d: IngestDeps) {}

  async receive(inbox: ChannelInbox, m: InboundMessage): Promise<{ duplicate: boolean; conversationId?: string }> {
    const { tenantId, inboxId } = inbox;
    // Cheap early exit: a repeated update does not download its files again.
    if (await this.d.messages.byDedupKey(tenantId, m.dedupKey)) return { duplicate: true };
    const identity = (externalId: string) => ({ inboxId, channel: m.channel, externalId });
    const sender = await this.d.contacts.resolveIdentity(tenantId, identity(m.sender.externalId), { name: m.sender.name, attributes: m.senderAttributes });
    if (!sender.created && m.senderAttributes?.['telegramStartPayload'] !== undefined) {
      await this.d.contacts.update(tenantId, sender.contactId, { attributes: m.senderAttributes });
    }
    const party =
      m.conversation.externalId === m.sender.externalId
        ? sender
        : await this.d.contacts.resolveIdentity(tenantId, identity(m.conversation.externalId), { name: m.conversation.name, attributes: { group: true } });

    const attachments: Attachment[] = [];
    const notes: string[] = [];
    const uploader = { type: 'contact' as const, id: sender.contactId, tenantId, inboxId };
    for (const file of m.files) {
      try {
        if (file.size !== undefined && file.size > this.d.attachments.maxBytes) {
          throw new AppError('SB_ERR_ATTACHMENT_TOO_LARGE', `larger than ${this.d.attachments.maxBytes} bytes`);
        }
        const data = await file.download(this.d.attachments.maxBytes);
        attachments.push(await this.d.attachments.upload(uploader, { name: file.name, contentType: file.contentType, declaredLength: data.length, body: (async function* () { yield data; })() }));
      } catch (err) {
        const problem = permanentFileProblem(err);
        if (problem === undefined) throw err;
        notes.push(`[file “${file.name}” not stored: ${problem}]`);
      }
    }
    // PostgreSQL text cannot hold NUL.
    const body = [m.body.replace(/\u0000/g, ''), ...notes].filter((t) => t.length > 0).join('\n') || (attachments.length ? '' : '[empty message]');
    const result = await this.d.conversations.receiveFromChannel({
      tenantId,
      inboxId,
      conversationContactId: party.contactId,
      sender: { contactId: sender.contactId, name: m.sender.name },
      body,
      attachments,
      dedupKey: m.dedupKey,
      providerMessageId: m.providerMessageId,
    });
    return { duplicate: result.duplicate, conversationId: result.conversation.id };
  }
}
