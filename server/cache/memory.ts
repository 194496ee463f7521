import { LRUCache } from 'lru-cache';
import type { Message } from '../contract/index.js';
import type { ConversationRecord } from '../conversations/repo.js';
import {
  isContiguousTail,
  LookupCounter,
  warmCacheOptions,
  windowOfTail,
  type CachedTail,
  type TailWindow,
  type WarmCache,
  type WindowQuery,
  type WarmCacheOptions,
  type WarmCacheStats,
} from './warm.js';

export interface MemoryWarmCacheOptions extends WarmCacheOptions {
  /** Conversations kept warm; the least recently used beyond this are dropped. Default 10 000. */
  maxConversations: number;
}

interface Entry {
  version: number;
  tail?: CachedTail | undefined;
  summary?: ConversationRecord | undefined;
}

const key = (tenantId: string, conversationId: string) => `${tenantId}\u0000${conversationId}`;
/** Conversation records hold only primitives (strings, numbers, null), so a shallow copy is a full copy. */
const copySummary = (c: ConversationRecord): ConversationRecord => ({ ...c });
/** A private deep copy that nobody can change afterwards, so reads can share it without copying. */
const frozenCopy = <T>(v: T): T => deepFreeze(structuredClone(v));
function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const child of Object.values(v)) deepFreeze(child);
  }
  return v;
}

/**
 * The embedded warm tier: an LRU map of conversations (bounded by entries, each entry holding
 * at most `maxMessages` messages) with the same versioned semantics as the Redis one. Each
 * write refreshes the entry's TTL. Callers get copies, so mutating a result never changes the cache.
 */
export class MemoryWarmCache implements WarmCache {
  private readonly opts: MemoryWarmCacheOptions;
  private readonly entries: LRUCache<string, Entry>;
  private readonly lookups: LookupCounter;
  /** Source of versions: never reused, so an entry evicted and created again cannot match an old one. */
  private nextVersion = 1;

  constructor(opts: Partial<MemoryWarmCacheOptions> = {}) {
    const maxConversations = opts.maxConversations ?? 10_000;
    if (!Number.isInteger(maxConversations) || maxConversations < 1) throw new RangeError('maxConversations must be a positive integer');
    this.opts = { ...warmCacheOptions(opts), maxConversations };
    this.entries = new LRUCache({ max: maxConversations, ttl: this.opts.ttlSeconds * 1000, updateAgeOnGet: false });
    this.lookups = new LookupCounter(this.opts.onLookup);
  }

  async tail(tenantId: string, conversationId: string): Promise<CachedTail | undefined> {
    const tail = this.entries.get(key(tenantId, conversationId))?.tail;
    this.lookups.record('tail', Boolean(tail));
    // Messages are frozen when stored, so only the array needs copying (a read is on the hot path).
    return tail && { messages: tail.messages.slice(), lastSeq: tail.lastSeq };
  }

  async tailWindow(tenantId: string, conversationId: string, q: WindowQuery): Promise<TailWindow | undefined> {
    const tail = this.entries.get(key(tenantId, conversationId))?.tail;
    this.lookups.record('tail', Boolean(tail));
    return tail && windowOfTail(tail, q); // slices, so the cached array is never shared
  }

  async version(tenantId: string, conversationId: string): Promise<number> {
    const k = key(tenantId, conversationId);
    let entry = this.entries.get(k);
    if (!entry) this.entries.set(k, (entry = { version: this.nextVersion++ }));
    return entry.version;
  }

  async fillTail(tenantId: string, conversationId: string, version: number, tail: CachedTail): Promise<boolean> {
    const k = key(tenantId, conversationId);
    const entry = this.entries.get(k);
    if (entry?.version !== version || !isContiguousTail(tail)) return false;
    entry.tail = { messages: tail.messages.slice(-this.opts.maxMessages).map(frozenCopy), lastSeq: tail.lastSeq };
    this.entries.set(k, entry);
    return true;
  }

  async messageCommitted(tenantId: string, message: Message): Promise<void> {
    const k = key(tenantId, message.conversationId);
    const entry = this.entries.get(k);
    // No entry: no fill can be pending against it (a fill needs the version it handed out).
    if (!entry) return;
    entry.version = this.nextVersion++;
    if (entry.summary) {
      // Keep the summary warm for the next send: advance it rather than drop it.
      entry.summary.lastSeq = Math.max(entry.summary.lastSeq, message.seq);
      if (message.createdAt > entry.summary.lastActivityAt) entry.summary.lastActivityAt = entry.summary.updatedAt = message.createdAt;
    }
    const tail = entry.tail;
    if (tail && message.seq > tail.lastSeq) {
      if (message.seq === tail.lastSeq + 1) {
        tail.messages.push(frozenCopy(message));
        if (tail.messages.length > this.opts.maxMessages) tail.messages.splice(0, tail.messages.length - this.opts.maxMessages);
        tail.lastSeq = message.seq;
      } else {
        entry.tail = undefined; // a gap: never cache it
      }
    }
    this.entries.set(k, entry);
  }

  async conversation(tenantId: string, conversationId: string): Promise<ConversationRecord | undefined> {
    const summary = this.entries.get(key(tenantId, conversationId))?.summary;
    this.lookups.record('conversation', Boolean(summary));
    return summary && copySummary(summary);
  }

  async fillConversation(tenantId: string, conversationId: string, version: number, conversation: ConversationRecord): Promise<boolean> {
    const k = key(tenantId, conversationId);
    const entry = this.entries.get(k);
    if (entry?.version !== version) return false;
    entry.summary = copySummary(conversation);
    this.entries.set(k, entry);
    return true;
  }

  async conversationChanged(tenantId: string, conversationId: string): Promise<void> {
    const k = key(tenantId, conversationId);
    const entry = this.entries.get(k);
    if (!entry) return;
    entry.version = this.nextVersion++;
    entry.summary = undefined;
    this.entries.set(k, entry);
  }

  stats(): WarmCacheStats {
    return this.lookups.snapshot();
  }

  async close(): Promise<void> {
    this.entries.clear();
  }
}
