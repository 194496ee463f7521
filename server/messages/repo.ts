import type { Attachment, ChannelName, Direction, Message, SenderType } from '../contract/index.js';
import type { Db } from '../storage/db.js';
import { parseJson, toIso } from '../storage/db.js';

export function toMessage(r: Record<string, unknown>): Message {
  const replyToSeq = r['reply_to_seq'];
  return {
    id: r['id'] as string,
    conversationId: r['conversation_id'] as string,
    seq: Number(r['seq']),
    direction: r['direction'] as Direction,
    private: Boolean(r['private']),
    sender: {
      type: r['sender_type'] as SenderType,
      id: (r['sender_id'] as string | null) ?? null,
      name: (r['sender_name'] as string | null) ?? null,
    },
    body: r['body'] as string,
    attachments: parseJson<Attachment[]>(r['attachments'], []),
    channel: r['channel'] as ChannelName,
    createdAt: toIso(r['created_at'] as number)!,
    // Only when set, so messages that answer nothing keep their v1 shape.
    ...(replyToSeq !== null && replyToSeq !== undefined ? { replyToSeq: Number(replyToSeq) } : {}),
  };
}

export interface MessageRange {
  /** Only messages with `seq > after`, oldest first. */
  after?: number | undefined;
  /** Only messages with `seq < before`, the newest `limit` of them (returned oldest first). */
  before?: number | undefined;
  limit: number;
  includePrivate: boolean;
}

/** Reads of the message log. Writes go through `MessageStore` only. */
export class MessageRepo {
  constructor(private readonly db: Db) {}

  /** One page of a conversation's log, always in ascending `seq`; `more` says if the range continues. */
  async range(tenantId: string, conversationId: string, r: MessageRange): Promise<{ messages: Message[]; more: boolean }> {
    const q = this.db('messages').where({ tenant_id: tenantId, conversation_id: conversationId });
    if (!r.includePrivate) q.andWhere('private', false);
    const backwards = r.after === undefined;
    if (r.after !== undefined) q.andWhere('seq', '>', r.after);
    if (r.before !== undefined) q.andWhere('seq', '<', r.before);
    const rows = await q.orderBy('seq', backwards ? 'desc' : 'asc').limit(r.limit + 1);
    const more = rows.length > r.limit;
    const page = rows.slice(0, r.limit);
    if (backwards) page.reverse();
    return { messages: page.map(toMessage), more };
  }

  /** One message by its place in the log. */
  async get(tenantId: string, conversationId: string, seq: number): Promise<Message | undefined> {
    const r = await this.db('messages').where({ tenant_id: tenantId, conversation_id: conversationId, seq }).first();
    return r ? toMessage(r) : undefined;
  }

  /** The customer's most recent message with text (what an agent correcting the intent means). */
  async latestCustomerText(tenantId: string, conversationId: string): Promise<Message | undefined> {
    const r = await this.db('messages')
      .where({ tenant_id: tenantId, conversation_id: conversationId, direction: 'inbound', private: false })
      .andWhere('body', '<>', '')
      .orderBy('seq', 'desc')
      .first();
    return r ? toMessage(r) : undefined;
  }

  /** Records the intent routing found for a message (the message's content never changes). */
  async setIntent(tenantId: string, conversationId: string, seq: number, intent: string, confidence: number): Promise<void> {
    await this.db('messages').where({ tenant_id: tenantId, conversation_id: conversationId, seq }).update({ intent, intent_confidence: confidence });
  }

  /**
   * What a reply to message `seq` needs to name it at the provider: the message's direction and
   * id, and for an inbound message the provider's own id (Telegram `message_id`), when known.
   */
  async replyTarget(tenantId: string, conversationId: string, seq: number): Promise<{ id: string; direction: Direction; private: boolean; providerMessageId: string | null } | undefined> {
    const r = await this.db('messages')
      .where({ tenant_id: tenantId, conversation_id: conversationId, seq })
      .first('id', 'direction', 'private', 'provider_message_id');
    if (!r) return undefined;
    return { id: r.id as string, direction: r.direction as Direction, private: Boolean(r.private), providerMessageId: (r.provider_message_id as string | null) ?? null };
  }

  async byDedupKey(tenantId: string, dedupKey: string): Promise<Message | undefined> {
    const r = await this.db('messages').where({ tenant_id: tenantId, dedup_key: dedupKey }).first();
    return r ? toMessage(r) : undefined;
  }
}
