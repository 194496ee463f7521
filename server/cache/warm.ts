import type { Message } from '../contract/index.js';
import type { ConversationRecord } from '../conversations/repo.js';

export interface WarmCacheOptions {
  /** Lifetime of every entry; default 7 days. */
  ttlSeconds: number;
  /** Newest messages kept per conversation; default 200. */
  maxMessages: number;
  /** Called on every lookup, for hit/miss metrics. */
  onLookup?: ((kind: 'tail' | 'conversation', hit: boolean) => void) | undefined;
}

/** The newest messages of a conversation (private ones too), ascending, ending at `lastSeq`. */
export interface CachedTail {
  messages: Message[];
  /** Highest committed seq the entry knows; 0 for an empty conversation. */
  lastSeq: number;
}

/**
 * The warm tier: recent history and conversation summaries. Fills are versioned: a reader
 * takes `version()` before its database read and `fill*` refuses if any write bumped it since,
 * so a slow reader can never put back data older than a write. A miss is always correct.
 */
export interface WarmCache {
  tail(tenantId: string, conversationId: string): Promise<CachedTail | undefined>;
  version(tenantId: string, conversationId: string): Promise<number>;
  fillTail(tenantId: string, conversationId: string, version: number, tail: CachedTail): Promise<boolean>;
  /**
   * After a message committed (or was confirmed as a duplicate): bumps the version and drops
   * the summary; appends to the tail if it ends at seq-1, ignores it if already there, and
   * drops the tail otherwise (never caches a gap).
   */
  messageCommitted(tenantId: string, message: Message): Promise<void>;
  conversation(tenantId: string, conversationId: string): Promise<ConversationRecord | undefined>;
  fillConversation(tenantId: string, conversationId: string, version: number, conversation: ConversationRecord): Promise<boolean>;
  /** After any change of a conversation row: bumps the version and drops the summary. */
  conversationChanged(tenantId: string, conversationId: string): Promise<void>;
  close(): Promise<void>;
}
