import type { Message } from '../contract/index.js';
import type { CachedTail, WarmCache } from '../cache/warm.js';
import type { MessageRange, MessageRepo } from '../messages/repo.js';
import type { ConversationRecord, ConversationRepo } from './repo.js';

export type RangeResult = { messages: Message[]; more: boolean };

/**
 * Answers a history read from a cached tail when the tail covers it, else returns undefined.
 * The tail holds the newest messages (private ones too) up to the conversation's last seq.
 */
export function rangeFromTail(tail: CachedTail, r: MessageRange): RangeResult | undefined {
  const all = tail.messages;
  const complete = all.length === 0 || all[0]!.seq === 1;
  const first = all[0]?.seq ?? tail.lastSeq + 1;
  const visible = r.includePrivate ? all : all.filter((m) => !m.private);
  const before = r.before ?? Number.POSITIVE_INFINITY;
  if (r.after !== undefined) {
    if (r.after + 1 < first && !complete) return undefined;
    const items = visible.filter((m) => m.seq > r.after! && m.seq < before);
    return { messages: items.slice(0, r.limit), more: items.length > r.limit };
  }
  const items = visible.filter((m) => m.seq < before);
  if (items.length > r.limit) return { messages: items.slice(items.length - r.limit), more: true };
  return complete ? { messages: items, more: false } : undefined;
}

/**
 * Reads through the warm tier: conversation summaries and recent history come from the cache
 * when they can, and a miss reads the database and fills the cache with a versioned write that
 * loses against any concurrent change. A miss is always correct, only slower.
 */
export class CachedReads {
  constructor(
    private readonly d: {
      cache: WarmCache;
      messages: MessageRepo;
      conversations: ConversationRepo;
      tailSize: number;
      /** Where each history read was answered from. */
      onHistoryRead?: (source: 'cache' | 'database') => void;
    },
  ) {}

  async conversation(tenantId: string, id: string): Promise<ConversationRecord | undefined> {
    const hit = await this.d.cache.conversation(tenantId, id);
    if (hit) return hit;
    const version = await this.d.cache.version(tenantId, id);
    const row = await this.d.conversations.get(tenantId, id);
    if (row) await this.d.cache.fillConversation(tenantId, id, version, row);
    return row;
  }

  /**
   * A page of history. `lastSeq` (the conversation's, when the caller knows it) lets a read of
   * old history go straight to the database instead of loading a tail that cannot answer it.
   */
  async range(tenantId: string, conversationId: string, r: MessageRange, lastSeq?: number): Promise<RangeResult> {
    if (lastSeq !== undefined) {
      const tailStart = lastSeq - this.d.tailSize + 1;
      const old = (r.before !== undefined && r.before <= tailStart) || (r.after !== undefined && r.after + 1 < tailStart);
      if (old) {
        this.d.onHistoryRead?.('database');
        return this.d.messages.range(tenantId, conversationId, r);
      }
    }
    let tail = await this.d.cache.tail(tenantId, conversationId);
    const warm = Boolean(tail);
    if (!tail) {
      // Miss: read the newest messages once and keep them warm; they answer most reads.
      const version = await this.d.cache.version(tenantId, conversationId);
      const latest = await this.d.messages.range(tenantId, conversationId, { limit: this.d.tailSize, includePrivate: true });
      tail = { messages: latest.messages, lastSeq: latest.messages.at(-1)?.seq ?? 0 };
      await this.d.cache.fillTail(tenantId, conversationId, version, tail);
    }
    const fromTail = rangeFromTail(tail, r);
    this.d.onHistoryRead?.(fromTail && warm ? 'cache' : 'database');
    return fromTail ?? this.d.messages.range(tenantId, conversationId, r);
  }

  messageCommitted(tenantId: string, message: Message): Promise<void> {
    return this.d.cache.messageCommitted(tenantId, message);
  }

  conversationChanged(tenantId: string, id: string): Promise<void> {
    return this.d.cache.conversationChanged(tenantId, id);
  }
}
