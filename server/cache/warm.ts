import type { Message } from '../contract/index.js';
import type { ConversationRecord } from '../conversations/repo.js';

export type LookupKind = 'tail' | 'conversation';

export interface WarmCacheOptions {
  /** Lifetime of every entry, refreshed by writes; default 7 days. */
  ttlSeconds: number;
  /** Newest messages kept per conversation; default 200. */
  maxMessages: number;
  /** Called on every lookup, for hit/miss metrics. */
  onLookup?: ((kind: LookupKind, hit: boolean) => void) | undefined;
}

export const WARM_CACHE_DEFAULTS = { ttlSeconds: 7 * 24 * 3600, maxMessages: 200 } as const;

/** Spreads the defaults over `opts` and checks the invariants. */
export function warmCacheOptions(opts: Partial<WarmCacheOptions>): WarmCacheOptions {
  const o = { ...WARM_CACHE_DEFAULTS, ...opts };
  if (!Number.isInteger(o.ttlSeconds) || o.ttlSeconds < 1) throw new RangeError(`ttlSeconds must be a positive integer, got ${o.ttlSeconds}`);
  if (!Number.isInteger(o.maxMessages) || o.maxMessages < 1) throw new RangeError(`maxMessages must be a positive integer, got ${o.maxMessages}`);
  return o;
}

/** The newest messages of a conversation (private ones too), ascending, ending at `lastSeq`. */
export interface CachedTail {
  /** Ascending and contiguous in seq; the last up to `maxMessages`. */
  messages: Message[];
  /** Highest committed seq the entry knows: the last message's seq, or 0 for an empty conversation. */
  lastSeq: number;
}

export interface LookupCounts {
  hits: number;
  misses: number;
}
export type WarmCacheStats = Record<LookupKind, LookupCounts>;

/**
 * The warm tier: recent history and conversation summaries. Fills are versioned: a reader
 * takes `version()` before its database read and `fill*` refuses if any write changed it since,
 * so a slow reader can never put back data older than a write. A miss is always correct, and
 * no method throws because the backing store is unavailable: reads miss, fills are refused.
 */
export interface WarmCache {
  /** Cached tail of a conversation's log, or undefined on a miss. */
  tail(tenantId: string, conversationId: string): Promise<CachedTail | undefined>;
  /**
   * Opaque version of a conversation's entries; read it BEFORE the database read whose result
   * you will fill in. Values are never reused for one conversation, even after an eviction.
   */
  version(tenantId: string, conversationId: string): Promise<number>;
  /** Stores a tail read from the database unless a write changed the version since. Returns whether it stored. */
  fillTail(tenantId: string, conversationId: string, version: number, tail: CachedTail): Promise<boolean>;
  /**
   * After a message committed (or was confirmed as a duplicate): changes the version and drops
   * the summary; appends to the tail if it ends at seq-1 (trimming to `maxMessages`), ignores it
   * if already there, and drops the tail otherwise (never caches a gap). Atomic.
   */
  messageCommitted(tenantId: string, message: Message): Promise<void>;
  /** Cached conversation row, or undefined on a miss. */
  conversation(tenantId: string, conversationId: string): Promise<ConversationRecord | undefined>;
  /** Stores a conversation row read from the database unless a write changed the version since. */
  fillConversation(tenantId: string, conversationId: string, version: number, conversation: ConversationRecord): Promise<boolean>;
  /** After any change of a conversation row (status, assignment, …): changes the version and drops the summary. */
  conversationChanged(tenantId: string, conversationId: string): Promise<void>;
  /** Hit/miss counts per kind since this instance was created. */
  stats(): WarmCacheStats;
  close(): Promise<void>;
}

/** True when `tail` keeps the CachedTail invariants; anything else is never stored or served. */
export function isContiguousTail(tail: CachedTail): boolean {
  const { messages, lastSeq } = tail;
  if (!Number.isInteger(lastSeq) || lastSeq < 0) return false;
  if (messages.length === 0) return lastSeq === 0;
  if (messages.at(-1)!.seq !== lastSeq) return false;
  return messages.every((m, i) => i === 0 || m.seq === messages[i - 1]!.seq + 1);
}

/** Counts lookups and forwards them to the `onLookup` hook. */
export class LookupCounter {
  private readonly counts: WarmCacheStats = { tail: { hits: 0, misses: 0 }, conversation: { hits: 0, misses: 0 } };

  constructor(private readonly onLookup: WarmCacheOptions['onLookup']) {}

  record(kind: LookupKind, hit: boolean): void {
    if (hit) this.counts[kind].hits++;
    else this.counts[kind].misses++;
    this.onLookup?.(kind, hit);
  }

  snapshot(): WarmCacheStats {
    return { tail: { ...this.counts.tail }, conversation: { ...this.counts.conversation } };
  }
}
