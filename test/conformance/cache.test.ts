import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '../../server/contract/index.js';
import type { ConversationRecord } from '../../server/conversations/repo.js';
import type { WarmCache, WarmCacheOptions } from '../../server/cache/warm.js';
import { MemoryWarmCache } from '../../server/cache/memory.js';
import { RedisWarmCache } from '../../server/cache/redis.js';
import { connectRedis, RedisKeys, type RedisClient } from '../../server/redis/client.js';
import { SHARED_REDIS_URL, TestRedis, TestRedisCluster, uniquePrefix } from '../helpers/redis.js';

const msg = (seq: number, conversationId = 'c1', extra: Partial<Message> = {}): Message => ({
  id: `id-${conversationId}-${seq}`,
  conversationId,
  seq,
  direction: 'inbound',
  private: false,
  sender: { type: 'contact', id: 'v1', name: null },
  body: `body ${seq}`,
  attachments: [],
  channel: 'web',
  createdAt: new Date(1_700_000_000_000 + seq).toISOString(),
  ...extra,
});
const conv = (id: string, lastSeq: number): ConversationRecord => ({
  tenantId: 't1', id, inboxId: 'i1', channel: 'web', contactId: 'v1', status: 'open', assigneeId: null, teamId: null,
  priority: 'none', intent: null, lastSeq, snoozedUntil: null,
  lastActivityAt: new Date(0).toISOString(), createdAt: new Date(0).toISOString(), updatedAt: new Date(0).toISOString(),
});

interface Backend {
  name: string;
  make(opts: WarmCacheOptions): Promise<{ cache: WarmCache; close(): Promise<void> }>;
}

function redisBackend(name: string, url: () => string, cluster: boolean): Backend {
  return {
    name,
    make: async (opts) => {
      const client: RedisClient = connectRedis({ url: url(), cluster });
      const prefix = uniquePrefix('cache');
      const cache = new RedisWarmCache(client, new RedisKeys(prefix), opts);
      return {
        cache,
        close: async () => {
          await cache.close();
          client.disconnect();
        },
      };
    },
  };
}

let cluster: TestRedisCluster;
beforeAll(async () => {
  cluster = await TestRedisCluster.start();
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
});

const backends: Backend[] = [
  { name: 'in-process', make: async (opts) => ({ cache: new MemoryWarmCache(opts), close: async () => {} }) },
  redisBackend('standalone Redis', () => SHARED_REDIS_URL, false),
  redisBackend('Redis Cluster', () => cluster.url, true),
];

describe.each(backends)('warm cache conformance: $name', (backend) => {
  const lookups: [string, boolean][] = [];
  const options: WarmCacheOptions = { ttlSeconds: 3600, maxMessages: 5, onLookup: (kind, hit) => lookups.push([kind, hit]) };

  it('misses, fills, then hits with identical messages', async () => {
    const { cache, close } = await backend.make(options);
    lookups.length = 0;
    expect(await cache.tail('t1', 'c1')).toBeUndefined();
    const v = await cache.version('t1', 'c1');
    const messages = [msg(1), msg(2, 'c1', { private: true, direction: 'outbound' })];
    expect(await cache.fillTail('t1', 'c1', v, { messages, lastSeq: 2 })).toBe(true);
    expect(await cache.tail('t1', 'c1')).toEqual({ messages, lastSeq: 2 });
    expect(lookups).toEqual([['tail', false], ['tail', true]]);
    // An empty conversation is cacheable too.
    expect(await cache.fillTail('t1', 'empty', await cache.version('t1', 'empty'), { messages: [], lastSeq: 0 })).toBe(true);
    expect(await cache.tail('t1', 'empty')).toEqual({ messages: [], lastSeq: 0 });
    await close();
  });

  it('refuses a fill that lost the race against a write', async () => {
    const { cache, close } = await backend.make(options);
    const v = await cache.version('t1', 'race');
    await cache.messageCommitted('t1', msg(1, 'race'));
    expect(await cache.fillTail('t1', 'race', v, { messages: [], lastSeq: 0 })).toBe(false);
    expect(await cache.tail('t1', 'race')).toBeUndefined();
    const v2 = await cache.version('t1', 'race');
    await cache.conversationChanged('t1', 'race');
    expect(await cache.fillConversation('t1', 'race', v2, conv('race', 1))).toBe(false);
    await close();
  });

  it('appends commits in order, ignores repeats, trims, and drops the tail on a gap', async () => {
    const { cache, close } = await backend.make(options);
    await cache.fillTail('t1', 'g', await cache.version('t1', 'g'), { messages: [msg(1, 'g')], lastSeq: 1 });
    for (const seq of [2, 3, 4, 5, 6]) await cache.messageCommitted('t1', msg(seq, 'g'));
    await cache.messageCommitted('t1', msg(6, 'g')); // a retry: no change
    const tail = await cache.tail('t1', 'g');
    expect(tail?.lastSeq).toBe(6);
    expect(tail?.messages.map((m) => m.seq)).toEqual([2, 3, 4, 5, 6]); // trimmed to maxMessages
    await cache.messageCommitted('t1', msg(8, 'g')); // 7 never arrived
    expect(await cache.tail('t1', 'g')).toBeUndefined();
    await close();
  });

  it('keeps tenants and conversations apart', async () => {
    const { cache, close } = await backend.make(options);
    await cache.fillTail('t1', 'x', await cache.version('t1', 'x'), { messages: [msg(1, 'x')], lastSeq: 1 });
    expect(await cache.tail('t2', 'x')).toBeUndefined();
    expect(await cache.tail('t1', 'y')).toBeUndefined();
    await cache.messageCommitted('t2', msg(2, 'x'));
    expect((await cache.tail('t1', 'x'))?.lastSeq).toBe(1);
    await close();
  });

  it('caches summaries and drops them on every change', async () => {
    const { cache, close } = await backend.make(options);
    expect(await cache.conversation('t1', 's')).toBeUndefined();
    expect(await cache.fillConversation('t1', 's', await cache.version('t1', 's'), conv('s', 3))).toBe(true);
    expect(await cache.conversation('t1', 's')).toEqual(conv('s', 3));
    await cache.conversationChanged('t1', 's');
    expect(await cache.conversation('t1', 's')).toBeUndefined();
    await cache.fillConversation('t1', 's', await cache.version('t1', 's'), conv('s', 3));
    await cache.messageCommitted('t1', msg(4, 's'));
    expect(await cache.conversation('t1', 's')).toBeUndefined();
    await close();
  });

  it('expires entries after the TTL', { timeout: 10_000 }, async () => {
    const { cache, close } = await backend.make({ ...options, ttlSeconds: 1 });
    await cache.fillTail('t1', 'ttl', await cache.version('t1', 'ttl'), { messages: [msg(1, 'ttl')], lastSeq: 1 });
    expect(await cache.tail('t1', 'ttl')).toBeDefined();
    await new Promise((r) => setTimeout(r, 2100));
    expect(await cache.tail('t1', 'ttl')).toBeUndefined();
    await close();
  });
});

describe('Redis warm cache while Redis is down', () => {
  it('answers misses without throwing, and works again after a restart', { timeout: 30_000 }, async () => {
    const redis = await TestRedis.start();
    const client = connectRedis({ url: redis.url, cluster: false }, { enableOfflineQueue: false, commandTimeout: 500, maxRetriesPerRequest: 0 });
    client.on('error', () => {});
    const cache = new RedisWarmCache(client, new RedisKeys(uniquePrefix('down')), { ttlSeconds: 60, maxMessages: 5 });
    try {
      await cache.fillTail('t1', 'c', await cache.version('t1', 'c'), { messages: [msg(1, 'c')], lastSeq: 1 });
      await redis.kill();
      const started = Date.now();
      expect(await cache.tail('t1', 'c')).toBeUndefined();
      expect(await cache.version('t1', 'c')).toBe(-1);
      expect(await cache.fillTail('t1', 'c', 0, { messages: [], lastSeq: 0 })).toBe(false);
      await cache.messageCommitted('t1', msg(2, 'c'));
      expect(cache.backlog).toBe(1);
      expect(Date.now() - started).toBeLessThan(3000);
      await redis.startProcess();
      const deadline = Date.now() + 10_000;
      while (cache.backlog > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(cache.backlog).toBe(0);
      await cache.fillTail('t1', 'c', await cache.version('t1', 'c'), { messages: [msg(1, 'c'), msg(2, 'c')], lastSeq: 2 });
      expect((await cache.tail('t1', 'c'))?.lastSeq).toBe(2);
    } finally {
      await cache.close();
      client.disconnect();
      await redis.stop();
    }
  });
});
