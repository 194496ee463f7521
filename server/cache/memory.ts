import { LRUCache } from 'lru-cache';
import type { Message } from '../contract/index.js';
import type { ConversationRecord } from '../conversations/repo.js';
import type { CachedTail, WarmCache, WarmCacheOptions } from './warm.js';

interface Entry {
  version: number;
  tail?: CachedTail | undefined;
  summary?: ConversationRecord | undefined;
}

/** Conversations kept warm in one process; the least recently used beyond this are dropped. */
const MAX_CONVERSATIONS = 10_000;

const key = (tenantId: string, conversationId: string) => `${tenantId}\u0000${conversationId}`;
const clone = <T>(v: T): T => structuredClone(v);

/** The embedded warm tier: an LRU map with the same versioned semantics as the Redis one. */
export class MemoryWarmCache implements WarmCache {
  private readonly entries: LRUCache<string, Entry>;

  constructor(private readonly opts: WarmCacheOptions) {
    this.entries = new LRUCache({ max: MAX_CONVERSATIONS, ttl: opts.ttlSeconds * 1000, updateAgeOnGet: false });
  }

  async tail(tenantId: string, conversationId: string): Promise<CachedTail | undefined> {
    const tail = this.entries.get(key(tenantId, conversationId))?.tail;
    this.opts.onLookup?.('tail', Boolean(tail));
    return tail && clone(tail);
  }

  async version(tenantId: string, conversationId: string): Promise<number> {
    return this.entries.get(key(tenantId, conversationId))?.version ?? 0;
  }

  async fillTail(tenantId: string, conversationId: string, version: number, tail: CachedTail): Promise<boolean> {
    const entry = this.entry(tenantId, conversationId);
    if (entry.version !== version) return false;
    entry.tail = clone({ messages: tail.messages.slice(-this.opts.maxMessages), lastSeq: tail.lastSeq });
    return true;
  }

  async messageCommitted(tenantId: string, message: Message): Promise<void> {
    const entry = this.entry(tenantId, message.conversationId);
    entry.version++;
    entry.summary = undefined;
    const tail = entry.tail;
    if (!tail || message.seq <= tail.lastSeq) return;
    if (message.seq !== tail.lastSeq + 1) {
      entry.tail = undefined;
      return;
    }
    tail.messages.push(clone(message));
    if (tail.messages.length > this.opts.maxMessages) tail.messages.splice(0, tail.messages.length - this.opts.maxMessages);
    tail.lastSeq = message.seq;
  }

  async conversation(tenantId: string, conversationId: string): Promise<ConversationRecord | undefined> {
    const summary = this.entries.get(key(tenantId, conversationId))?.summary;
    this.opts.onLookup?.('conversation', Boolean(summary));
    return summary && clone(summary);
  }

  async fillConversation(tenantId: string, conversationId: string, version: number, conversation: ConversationRecord): Promise<boolean> {
    const entry = this.entry(tenantId, conversationId);
    if (entry.version !== version) return false;
    entry.summary = clone(conversation);
    return true;
  }

  async conversationChanged(tenantId: string, conversationId: string): Promise<void> {
    const entry = this.entry(tenantId, conversationId);
    entry.version++;
    entry.summary = undefined;
  }

  async close(): Promise<void> {
    this.entries.clear();
  }

  private entry(tenantId: string, conversationId: string): Entry {
    const k = key(tenantId, conversationId);
    let entry = this.entries.get(k);
    if (!entry) {
      entry = { version: 0 };
      this.entries.set(k, entry);
    }
    return entry;
  }
}
