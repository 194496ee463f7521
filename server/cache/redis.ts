import { randomInt } from 'node:crypto';
import type { Message } from '../contract/index.js';
import type { ConversationRecord } from '../conversations/repo.js';
import type { RedisClient, RedisKeys } from '../redis/client.js';
import { CACHE_SCRIPTS, type CacheScripts } from './scripts.js';
import {
  isContiguousTail,
  LookupCounter,
  warmCacheOptions,
  windowBounds,
  type CachedTail,
  type TailWindow,
  type WarmCache,
  type WindowQuery,
  type WarmCacheOptions,
  type WarmCacheStats,
} from './warm.js';

export interface RedisWarmCacheOptions extends WarmCacheOptions {
  /**
   * Longest wait for Redis on any call before it counts as a miss / no-op; default 1000 ms.
   * Create the client with no offline queue and a short `commandTimeout` as well, so commands
   * do not pile up in the client while Redis is away.
   */
  timeoutMs: number;
  /** Called with every Redis failure the cache swallowed (for logs and metrics). */
  onError?: ((err: unknown) => void) | undefined;
  /**
   * The connection commits and invalidations go through (reads and fills always use the
   * client given first). Give it the connection the bus publishes on: a message's commit and
   * the publishes issued right after it then leave in one write and run in that order, so no
   * node hears of a message before its warm tail has it. While it is not connected, writes fail
   * at once (and are remembered) rather than wait in its offline queue. Default: the first client.
   */
  writeClient?: RedisClient | undefined;
}

/** How often invalidations that could not reach Redis are tried again. */
const RETRY_MS = 1000;
/** Most conversations remembered with a lost invalidation; beyond this the oldest are forgotten. */
const MAX_PENDING = 100_000;

/** The client with the cache's scripts defined on it (once per client). */
function withCacheScripts(client: RedisClient): CacheScripts {
  for (const [name, def] of Object.entries(CACHE_SCRIPTS)) if (!(name in client)) client.defineCommand(name, def);
  return client as CacheScripts;
}

/** A fresh version token: random, so a version key evicted and created again never repeats one. */
const newToken = () => randomInt(1, 2 ** 48);

/** The window a `sbWarmTailWindow` reply holds, or undefined when it is damaged (a list evicted apart from its seq key…). */
function checkedWindow([lastSeq, length, start, items]: [number, number, number, string[]], q: WindowQuery): TailWindow | undefined {
  if (length === 0 && lastSeq !== 0) return undefined;
  const expected = windowBounds(length, lastSeq, q);
  if (expected.start !== start || expected.count !== items.length) return undefined;
  const firstSeq = lastSeq - length + 1;
  const from = firstSeq + start;
  const messages = items.map((m) => JSON.parse(m) as Message);
  if (!messages.every((m, i) => m.seq === from + i)) return undefined;
  return { messages, from, firstSeq, lastSeq };
}

/**
 * The warm tier on Redis. Per conversation (one hash tag, so every script is single-slot on
 * Redis Cluster): `…:m` a LIST of message JSON strings, `…:t` the tail's last seq, `…:v` the
 * version token, `…:s` the summary JSON. Every key carries the TTL, and every script tolerates
 * any subset of the keys having been evicted (allkeys-lru): a missing version refuses fills,
 * a tail whose list is gone is a miss.
 *
 * Redis trouble never reaches callers: each call is bounded by `timeoutMs`; reads become
 * misses and fills are refused. An invalidation (`messageCommitted`, `conversationChanged`)
 * that fails is remembered: until it is delivered — retried every second as one DEL of the
 * conversation's keys — this node treats the conversation as a miss and refuses its fills.
 * Left open: another node that can still reach Redis may serve the old entry until the retry
 * lands, and a crash loses the remembered invalidations; the TTL, and the next commit (which
 * sees a gap and drops the tail), bound that staleness.
 */
export class RedisWarmCache implements WarmCache {
  private readonly redis: CacheScripts;
  private readonly writer: CacheScripts;
  private readonly opts: RedisWarmCacheOptions;
  private readonly lookups: LookupCounter;
  private readonly pending = new Map<string, { tenantId: string; conversationId: string; generation: number }>();
  private generation = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private deferred: (() => void)[] = [];
  private closed = false;

  constructor(
    client: RedisClient,
    private readonly keys: RedisKeys,
    opts: Partial<RedisWarmCacheOptions> = {},
  ) {
    const timeoutMs = opts.timeoutMs ?? 1000;
    if (!(timeoutMs > 0)) throw new RangeError('timeoutMs must be positive');
    this.opts = { ...warmCacheOptions(opts), timeoutMs, onError: opts.onError };
    this.lookups = new LookupCounter(this.opts.onLookup);
    this.redis = withCacheScripts(client);
    this.writer = withCacheScripts(opts.writeClient ?? client);
  }

  async tail(tenantId: string, conversationId: string): Promise<CachedTail | undefined> {
    let result: CachedTail | undefined;
    if (!this.isPending(tenantId, conversationId)) {
      const k = this.k(tenantId, conversationId);
      const reply = await this.run(() => this.redis.sbWarmTail(k.list, k.tail));
      if (reply && reply[0] !== null) {
        const tail = { lastSeq: Number(reply[0]), messages: reply[1].map((m) => JSON.parse(m) as Message) };
        // A list evicted apart from its seq key (or any other damage) reads as a miss.
        if (isContiguousTail(tail)) result = tail;
      }
    }
    this.lookups.record('tail', Boolean(result));
    return result;
  }

  async tailWindow(tenantId: string, conversationId: string, q: WindowQuery): Promise<TailWindow | undefined> {
    let result: TailWindow | undefined;
    if (!this.isPending(tenantId, conversationId)) {
      const k = this.k(tenantId, conversationId);
      const reply = await this.run(() => this.atTurnEnd(() => this.redis.sbWarmTailWindow(k.list, k.tail, q.after ?? '', q.before ?? '', q.count)));
      if (reply && reply.length === 4) result = checkedWindow(reply, q);
    }
    this.lookups.record('tail', Boolean(result));
    return result;
  }

  async version(tenantId: string, conversationId: string): Promise<number> {
    const k = this.k(tenantId, conversationId);
    const v = await this.run(() => this.redis.sbWarmVersion(k.version, newToken(), this.opts.ttlSeconds));
    return v === undefined ? -1 : Number(v); // -1: no fill can match it
  }

  async fillTail(tenantId: string, conversationId: string, version: number, tail: CachedTail): Promise<boolean> {
    if (version < 0 || this.isPending(tenantId, conversationId) || !isContiguousTail(tail)) return false;
    const k = this.k(tenantId, conversationId);
    const messages = tail.messages.slice(-this.opts.maxMessages).map((m) => JSON.stringify(m));
    const stored = await this.run(() => this.redis.sbWarmFillTail(k.list, k.tail, k.version, version, tail.lastSeq, this.opts.ttlSeconds, ...messages));
    return stored === 1;
  }

  async messageCommitted(tenantId: string, message: Message): Promise<void> {
    const k = this.k(tenantId, message.conversationId);
    const { maxMessages, ttlSeconds } = this.opts;
    const json = JSON.stringify(message);
    const done = await this.write(() => this.writer.sbWarmCommit(k.list, k.tail, k.version, k.summary, message.seq, json, maxMessages, ttlSeconds, newToken(), message.createdAt));
    if (done === undefined) this.remember(tenantId, message.conversationId);
  }

  async conversation(tenantId: string, conversationId: string): Promise<ConversationRecord | undefined> {
    let result: ConversationRecord | undefined;
    if (!this.isPending(tenantId, conversationId)) {
      const key = this.k(tenantId, conversationId).summary;
      const json = await this.run(() => this.atTurnEnd(() => this.redis.get(key)));
      if (json) result = JSON.parse(json) as ConversationRecord;
    }
    this.lookups.record('conversation', Boolean(result));
    return result;
  }

  async fillConversation(tenantId: string, conversationId: string, version: number, conversation: ConversationRecord): Promise<boolean> {
    if (version < 0 || this.isPending(tenantId, conversationId)) return false;
    const k = this.k(tenantId, conversationId);
    const stored = await this.run(() => this.redis.sbWarmFillSummary(k.version, k.summary, version, JSON.stringify(conversation), this.opts.ttlSeconds));
    return stored === 1;
  }

  async conversationChanged(tenantId: string, conversationId: string): Promise<void> {
    const k = this.k(tenantId, conversationId);
    const done = await this.write(() => this.writer.sbWarmChanged(k.version, k.summary, newToken(), this.opts.ttlSeconds));
    if (done === undefined) this.remember(tenantId, conversationId);
  }

  stats(): WarmCacheStats {
    return this.lookups.snapshot();
  }

  /** Conversations whose invalidation has not reached Redis yet (for tests and metrics). */
  get backlog(): number {
    return this.pending.size;
  }

  /** Stops retrying; the client belongs to the caller. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.pending.clear();
  }

  /**
   * Issues `call` when this turn of the event loop ends, together with every other call
   * deferred in it: the client's auto-pipelining then sends them in one write. Summary reads
   * come one per incoming frame, each in its own tick, and would otherwise cost a write (and a
   * wake-up of Redis) apiece; a history read's summary and tail window go out together.
   */
  private atTurnEnd<T>(call: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.deferred.length === 0) {
        setImmediate(() => {
          const calls = this.deferred;
          this.deferred = [];
          for (const c of calls) c();
        });
      }
      this.deferred.push(() => void call().then(resolve, reject));
    });
  }

  /** Runs one Redis call, bounded by `timeoutMs`; undefined when Redis failed or was too slow. */
  private async run<T>(call: () => Promise<T>): Promise<T | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`warm cache: Redis did not answer within ${this.opts.timeoutMs} ms`)), this.opts.timeoutMs);
    });
    try {
      return await Promise.race([call(), timeout]);
    } catch (err) {
      this.opts.onError?.(err);
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  /** `run` on the write connection; refused at once while it is not connected (see `writeClient`). */
  private write<T>(call: () => Promise<T>): Promise<T | undefined> {
    const status = (this.writer as { status?: string }).status;
    if (status !== undefined && status !== 'ready') {
      this.opts.onError?.(new Error(`warm cache: Redis write connection is ${status}`));
      return Promise.resolve(undefined);
    }
    return this.run(call);
  }

  private isPending(tenantId: string, conversationId: string): boolean {
    return this.pending.size > 0 && this.pending.has(`${tenantId}\u0000${conversationId}`);
  }

  private remember(tenantId: string, conversationId: string): void {
    const key = `${tenantId}\u0000${conversationId}`;
    this.pending.delete(key); // re-insert as newest
    this.pending.set(key, { tenantId, conversationId, generation: ++this.generation });
    if (this.pending.size > MAX_PENDING) this.pending.delete(this.pending.keys().next().value!);
    this.schedule();
  }

  private schedule(): void {
    if (this.retryTimer || this.closed) return;
    this.retryTimer = setTimeout(() => void this.retry(), RETRY_MS);
    this.retryTimer.unref();
  }

  /** Deletes every key of each conversation whose invalidation was lost: the next read refills it. */
  private async retry(): Promise<void> {
    this.retryTimer = undefined;
    for (const [key, { tenantId, conversationId, generation }] of [...this.pending]) {
      const k = this.k(tenantId, conversationId);
      if ((await this.write(() => this.writer.del(k.list, k.tail, k.version, k.summary))) === undefined) break;
      // An invalidation that failed again while this DEL was in flight stays pending.
      if (this.pending.get(key)?.generation === generation) this.pending.delete(key);
    }
    if (this.pending.size) this.schedule();
  }

  private k(tenantId: string, conversationId: string) {
    const part = (p: string) => this.keys.conversation(tenantId, conversationId, p);
    return { list: part('m'), tail: part('t'), version: part('v'), summary: part('s') };
  }
}
