import type { Message } from '../contract/index.js';
import type { ConversationRecord } from '../conversations/repo.js';
import type { RedisClient, RedisKeys } from '../redis/client.js';
import type { CachedTail, WarmCache, WarmCacheOptions } from './warm.js';

// Every script touches only keys of one conversation, which share a hash tag (one cluster slot).
// Messages stay opaque JSON strings: decoding them in Lua would turn `[]` into `{}`.
const SCRIPTS = {
  /** KEYS: list, tailSeq → {tailSeq|false, list} read atomically. */
  sbCacheTail: {
    numberOfKeys: 2,
    lua: `return {redis.call('GET', KEYS[2]), redis.call('LRANGE', KEYS[1], 0, -1)}`,
  },
  /** KEYS: list, tailSeq, version, summary; ARGV: seq, json, max, ttl. */
  sbCacheCommit: {
    numberOfKeys: 4,
    lua: `
      redis.call('INCR', KEYS[3]); redis.call('EXPIRE', KEYS[3], ARGV[4]); redis.call('DEL', KEYS[4])
      local last = redis.call('GET', KEYS[2])
      if not last then return 0 end
      last = tonumber(last)
      local seq = tonumber(ARGV[1])
      if seq <= last then return 1 end
      if seq ~= last + 1 then redis.call('DEL', KEYS[1], KEYS[2]); return 3 end
      redis.call('RPUSH', KEYS[1], ARGV[2])
      redis.call('LTRIM', KEYS[1], -tonumber(ARGV[3]), -1)
      redis.call('EXPIRE', KEYS[1], ARGV[4])
      redis.call('SET', KEYS[2], seq, 'EX', ARGV[4])
      return 2`,
  },
  /** KEYS: list, tailSeq, version; ARGV: expectedVersion, lastSeq, ttl, messages… */
  sbCacheFillTail: {
    numberOfKeys: 3,
    lua: `
      if tonumber(redis.call('GET', KEYS[3]) or '0') ~= tonumber(ARGV[1]) then return 0 end
      redis.call('DEL', KEYS[1])
      if #ARGV > 3 then redis.call('RPUSH', KEYS[1], unpack(ARGV, 4)); redis.call('EXPIRE', KEYS[1], ARGV[3]) end
      redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3])
      return 1`,
  },
  /** KEYS: version, summary; ARGV: expectedVersion, json, ttl. */
  sbCacheFillSummary: {
    numberOfKeys: 2,
    lua: `
      if tonumber(redis.call('GET', KEYS[1]) or '0') ~= tonumber(ARGV[1]) then return 0 end
      redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3])
      return 1`,
  },
  /** KEYS: version, summary; ARGV: ttl. */
  sbCacheChanged: {
    numberOfKeys: 2,
    lua: `redis.call('INCR', KEYS[1]); redis.call('EXPIRE', KEYS[1], ARGV[1]); redis.call('DEL', KEYS[2]); return 1`,
  },
} as const;

type Scripted = RedisClient & {
  sbCacheTail(list: string, tail: string): Promise<[string | null, string[]]>;
  sbCacheCommit(list: string, tail: string, version: string, summary: string, seq: number, json: string, max: number, ttl: number): Promise<number>;
  sbCacheFillTail(list: string, tail: string, version: string, expected: number, lastSeq: number, ttl: number, ...messages: string[]): Promise<number>;
  sbCacheFillSummary(version: string, summary: string, expected: number, json: string, ttl: number): Promise<number>;
  sbCacheChanged(version: string, summary: string, ttl: number): Promise<number>;
};

/** How often invalidations that could not reach Redis are tried again. */
const RETRY_MS = 1000;

/**
 * The warm tier on Redis. Redis trouble never reaches callers: reads become misses and fills
 * are skipped. An invalidation that fails is remembered and retried, because a write Redis did
 * not hear about could otherwise leave a stale entry behind once it is reachable again.
 */
export class RedisWarmCache implements WarmCache {
  private readonly redis: Scripted;
  private readonly unsent = new Map<string, { tenantId: string; conversationId: string }>();
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    client: RedisClient,
    private readonly keys: RedisKeys,
    private readonly opts: WarmCacheOptions,
  ) {
    for (const [name, def] of Object.entries(SCRIPTS)) if (!(name in client)) client.defineCommand(name, def);
    this.redis = client as Scripted;
  }

  async tail(tenantId: string, conversationId: string): Promise<CachedTail | undefined> {
    const k = this.k(tenantId, conversationId);
    let result: CachedTail | undefined;
    try {
      const [lastSeq, list] = await this.redis.sbCacheTail(k.list, k.tail);
      if (lastSeq !== null) result = { lastSeq: Number(lastSeq), messages: list.map((m) => JSON.parse(m) as Message) };
    } catch {
      result = undefined;
    }
    this.opts.onLookup?.('tail', Boolean(result));
    return result;
  }

  async version(tenantId: string, conversationId: string): Promise<number> {
    try {
      return Number((await this.redis.get(this.k(tenantId, conversationId).version)) ?? 0);
    } catch {
      return -1; // a version no fill can match
    }
  }

  async fillTail(tenantId: string, conversationId: string, version: number, tail: CachedTail): Promise<boolean> {
    if (version < 0) return false;
    const k = this.k(tenantId, conversationId);
    const messages = tail.messages.slice(-this.opts.maxMessages).map((m) => JSON.stringify(m));
    try {
      return (await this.redis.sbCacheFillTail(k.list, k.tail, k.version, version, tail.lastSeq, this.opts.ttlSeconds, ...messages)) === 1;
    } catch {
      return false;
    }
  }

  async messageCommitted(tenantId: string, message: Message): Promise<void> {
    const k = this.k(tenantId, message.conversationId);
    try {
      await this.redis.sbCacheCommit(k.list, k.tail, k.version, k.summary, message.seq, JSON.stringify(message), this.opts.maxMessages, this.opts.ttlSeconds);
    } catch {
      this.remember(tenantId, message.conversationId);
    }
  }

  async conversation(tenantId: string, conversationId: string): Promise<ConversationRecord | undefined> {
    let result: ConversationRecord | undefined;
    try {
      const json = await this.redis.get(this.k(tenantId, conversationId).summary);
      result = json ? (JSON.parse(json) as ConversationRecord) : undefined;
    } catch {
      result = undefined;
    }
    this.opts.onLookup?.('conversation', Boolean(result));
    return result;
  }

  async fillConversation(tenantId: string, conversationId: string, version: number, conversation: ConversationRecord): Promise<boolean> {
    if (version < 0) return false;
    const k = this.k(tenantId, conversationId);
    try {
      return (await this.redis.sbCacheFillSummary(k.version, k.summary, version, JSON.stringify(conversation), this.opts.ttlSeconds)) === 1;
    } catch {
      return false;
    }
  }

  async conversationChanged(tenantId: string, conversationId: string): Promise<void> {
    const k = this.k(tenantId, conversationId);
    try {
      await this.redis.sbCacheChanged(k.version, k.summary, this.opts.ttlSeconds);
    } catch {
      this.remember(tenantId, conversationId);
    }
  }

  async close(): Promise<void> {
    clearTimeout(this.retryTimer);
    this.unsent.clear();
  }

  /** Pending invalidations (for tests and metrics). */
  get backlog(): number {
    return this.unsent.size;
  }

  private remember(tenantId: string, conversationId: string): void {
    this.unsent.set(`${tenantId}\u0000${conversationId}`, { tenantId, conversationId });
    this.retryTimer ??= setTimeout(() => void this.retry(), RETRY_MS);
    this.retryTimer.unref?.();
  }

  /** Drops every entry of a conversation whose invalidation was lost: the next read refills it. */
  private async retry(): Promise<void> {
    this.retryTimer = undefined;
    for (const [key, { tenantId, conversationId }] of [...this.unsent]) {
      const k = this.k(tenantId, conversationId);
      try {
        await this.redis.del(k.list, k.tail, k.summary);
        await this.redis.sbCacheChanged(k.version, k.summary, this.opts.ttlSeconds);
        this.unsent.delete(key);
      } catch {
        break;
      }
    }
    if (this.unsent.size) this.retryTimer = setTimeout(() => void this.retry(), RETRY_MS);
  }

  private k(tenantId: string, conversationId: string) {
    const part = (p: string) => this.keys.conversation(tenantId, conversationId, p);
    return { list: part('m'), tail: part('t'), version: part('v'), summary: part('s') };
  }
}
