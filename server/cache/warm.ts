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

/** Which part of a cached tail a history read needs; see `tailWindow`. */
export interface WindowQuery {
  /** Start right after this seq (an `after` page); else the window ends at `before - 1` or the tail's end. */
  after?: number | undefined;
  before?: number | undefined;
  /** Most messages to return. */
  count: number;
}

/** A contiguous slice of a cached tail, with where the whole tail starts and ends. */
export interface TailWindow {
  /** Ascending and contiguous in seq, starting at `from`; at most `count` of the tail's messages. */
  messages: Message[];
  /** Seq of the window's first message (where it would start when empty). */
  from: number;
  /** Seq of the whole tail's first message: `lastSeq + 1` for an empty conversation. */
  firstSeq: number;
  /** As in CachedTail. */
  lastSeq: number;
}

/**
 * Index (0-based, into the tail of `length` messages ending at `lastSeq`) of the first message of
 * the window `q` asks for, and how many to take. The Redis script `sbWarmTailWindow` computes the same.
 */
export function windowBounds(length: number, lastSeq: number, q: WindowQuery): { start: number; count: number } {
  const firstSeq = lastSeq - length + 1;
  const end = Math.min(q.before === undefined ? lastSeq : q.before - 1, lastSeq) - firstSeq; // last index wanted
  if (q.after !== undefined) {
    const start = Math.max(q.after + 1 - firstSeq, 0);
    return { start, count: Math.max(Math.min(q.count, end - start + 1), 0) };
  }
  if (end < 0) return { start: 0, count: 0 };
  const start = Math.max(end - q.count + 1, 0);
  return { start, count: end - start + 1 };
}

/** The window `q` of a whole tail, as `tailWindow` returns it. */
export function windowOfTail(tail: CachedTail, q: WindowQuery): TailWindow {
  const { start, count } = windowBounds(tail.messages.length, tail.lastSeq, q);
  const firstSeq = tail.lastSeq - tail.messages.length + 1;
  return { messages: tail.messages.slice(start, start + count), from: firstSeq + start, firstSeq, lastSeq: tail.lastSeq };
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
   * Only the slice of the cached tail that `q` asks for (cheaper than `tail` when a read needs a
   * page of a long tail), or undefined on a miss. Equals `windowOfTail(await tail(…), q)`.
   */
  tailWindow(tenantId: string, conversationId: string, q: WindowQuery): Promise<TailWindow | undefined>;
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
