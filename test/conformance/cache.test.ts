import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { Cluster } from 'ioredis';
import type { Message } from '../../server/contract/index.js';
import type { ConversationRecord } from '../../server/conversations/repo.js';
import { windowOfTail, type WarmCache, type WarmCacheOptions, type WindowQuery } from '../../server/cache/warm.js';
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
const msgs = (from: number, to: number, conversationId = 'c1') => Array.from({ length: to - from + 1 }, (_, i) => msg(from + i, conversationId));
const conv = (id: string, lastSeq: number, tenantId = 't1'): ConversationRecord => ({
  tenantId, id, inboxId: 'i1', channel: 'web', contactId: 'v1', status: 'open', assigneeId: null, teamId: null,
  priority: 'none', intent: null, intentConfidence: null, triage: false, routedByRule: null, lastSeq, snoozedUntil: null,
  lastActivityAt: new Date(0).toISOString(), createdAt: new Date(0).toISOString(), updatedAt: new Date(0).toISOString(),
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Deletes every key under `prefix` (on each master of a cluster). */
async function deleteKeys(client: RedisClient, prefix: string): Promise<void> {
  const servers = client instanceof Cluster ? client.nodes('master') : [client];
  for (const server of servers) {
    for await (const batch of server.scanStream({ match: `${prefix}:*`, count: 500 })) for (const key of batch as string[]) await client.del(key);
  }
}

interface Made {
  cache: WarmCache;
  /** Deletes one key of a conversation, as allkeys-lru eviction would (Redis only). */
  evict?: (tenantId: string, conversationId: string, part: string) => Promise<void>;
}
interface Backend {
  name: string;
  make(opts: WarmCacheOptions): Promise<Made>;
}

function redisBackend(name: string, url: () => string, cluster: boolean): Backend {
  return {
    name,
    make: async (opts) => {
      const client = connectRedis({ url: url(), cluster }, { enableOfflineQueue: false, commandTimeout: 500 });
      const prefix = uniquePrefix('cache');
      const keys = new RedisKeys(prefix);
      await new Promise<void>((resolve) => client.once('ready', resolve));
      const cache = new RedisWarmCache(client, keys, opts);
      onTestFinished(async () => {
        await cache.close();
        await deleteKeys(client, prefix);
        client.disconnect();
      });
      return { cache, evict: async (t, c, part) => void (await client.del(keys.conversation(t, c, part))) };
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
  { name: 'in-process', make: async (opts) => ({ cache: new MemoryWarmCache(opts) }) },
  redisBackend('standalone Redis', () => SHARED_REDIS_URL, false),
  redisBackend('Redis Cluster', () => cluster.url, true),
];
const options: WarmCacheOptions = { ttlSeconds: 3600, maxMessages: 5 };
const fill = async (cache: WarmCache, c: string, messages: Message[], t = 't1') =>
  cache.fillTail(t, c, await cache.version(t, c), { messages, lastSeq: messages.at(-1)?.seq ?? 0 });

describe.each(backends)('warm cache conformance: $name', (backend) => {
  it('misses, fills, then hits with identical messages, and counts both', async () => {
    const lookups: [string, boolean][] = [];
    const { cache } = await backend.make({ ...options, onLookup: (kind, hit) => lookups.push([kind, hit]) });
    expect(await cache.tail('t1', 'c1')).toBeUndefined();
    const attachment = { id: 'a1', name: 'photo.png', contentType: 'image/png', size: 12, url: '/files/a1' };
    const messages = [
      msg(1),
      msg(2, 'c1', { private: true, direction: 'outbound', sender: { type: 'agent', id: 'ag1', name: 'Ann' }, body: 'note: {"x":[]} ü' }),
      msg(3, 'c1', { attachments: [attachment], body: '' }),
    ];
    expect(await cache.fillTail('t1', 'c1', await cache.version('t1', 'c1'), { messages, lastSeq: 3 })).toBe(true);
    const hit = await cache.tail('t1', 'c1');
    expect(hit).toStrictEqual({ messages, lastSeq: 3 });
    hit!.messages.pop(); // callers get a copy
    expect((await cache.tail('t1', 'c1'))?.messages).toHaveLength(3);
    // An empty conversation is cacheable too.
    expect(await fill(cache, 'empty', [])).toBe(true);
    expect(await cache.tail('t1', 'empty')).toStrictEqual({ messages: [], lastSeq: 0 });
    expect(await cache.conversation('t1', 'c1')).toBeUndefined();
    expect(lookups).toEqual([['tail', false], ['tail', true], ['tail', true], ['tail', true], ['conversation', false]]);
    expect(cache.stats()).toEqual({ tail: { hits: 3, misses: 1 }, conversation: { hits: 0, misses: 1 } });
  });

  it('refuses a fill that lost the race against a write', async () => {
    const { cache } = await backend.make(options);
    let v = await cache.version('t1', 'race');
    await cache.messageCommitted('t1', msg(1, 'race'));
    expect(await cache.fillTail('t1', 'race', v, { messages: [], lastSeq: 0 })).toBe(false);
    expect(await cache.fillConversation('t1', 'race', v, conv('race', 0))).toBe(false);
    expect(await cache.tail('t1', 'race')).toBeUndefined();
    v = await cache.version('t1', 'race');
    await cache.conversationChanged('t1', 'race');
    expect(await cache.fillConversation('t1', 'race', v, conv('race', 1))).toBe(false);
    expect(await cache.fillTail('t1', 'race', v, { messages: [msg(1, 'race')], lastSeq: 1 })).toBe(false);
    expect(await cache.conversation('t1', 'race')).toBeUndefined();
    // A version read after the write fills fine.
    expect(await fill(cache, 'race', [msg(1, 'race')])).toBe(true);
    expect(await cache.fillConversation('t1', 'race', await cache.version('t1', 'race'), conv('race', 1))).toBe(true);
  });

  it('appends commits in order and ignores repeats', async () => {
    const { cache } = await backend.make(options);
    await fill(cache, 'a', [msg(1, 'a')]);
    await cache.messageCommitted('t1', msg(2, 'a', { private: true }));
    await cache.messageCommitted('t1', msg(3, 'a'));
    const expected = { messages: [msg(1, 'a'), msg(2, 'a', { private: true }), msg(3, 'a')], lastSeq: 3 };
    expect(await cache.tail('t1', 'a')).toStrictEqual(expected);
    await cache.messageCommitted('t1', msg(3, 'a', { body: 'a retry' })); // a duplicate: no change
    await cache.messageCommitted('t1', msg(2, 'a'));
    expect(await cache.tail('t1', 'a')).toStrictEqual(expected);
  });

  it('drops the tail instead of caching a gap', async () => {
    const { cache } = await backend.make(options);
    await fill(cache, 'g', msgs(1, 2, 'g'));
    await cache.messageCommitted('t1', msg(4, 'g')); // 3 has not been seen
    expect(await cache.tail('t1', 'g')).toBeUndefined();
    await cache.messageCommitted('t1', msg(3, 'g')); // no tail, nothing to extend
    expect(await cache.tail('t1', 'g')).toBeUndefined();
    // A commit never creates a tail, and a fill must be contiguous and end at lastSeq.
    await cache.messageCommitted('t1', msg(1, 'fresh'));
    expect(await cache.tail('t1', 'fresh')).toBeUndefined();
    expect(await cache.fillTail('t1', 'g', await cache.version('t1', 'g'), { messages: [msg(1, 'g'), msg(3, 'g')], lastSeq: 3 })).toBe(false);
    expect(await cache.fillTail('t1', 'g', await cache.version('t1', 'g'), { messages: msgs(1, 2, 'g'), lastSeq: 3 })).toBe(false);
  });

  it('serves every window of a tail exactly as the slice of the whole tail', async () => {
    const { cache } = await backend.make(options);
    expect(await cache.tailWindow('t1', 'w', { count: 3 })).toBeUndefined();
    // Trimmed to 4..8; 6 is a private note.
    await fill(cache, 'w', msgs(1, 8, 'w').map((m) => (m.seq === 6 ? { ...m, private: true } : m)));
    const whole = (await cache.tail('t1', 'w'))!;
    const bounds = [undefined, 0, 1, 2, 3, 4, 5, 7, 8, 9, 10];
    for (const after of bounds) {
      for (const before of bounds) {
        if (before === 0) continue;
        for (const count of [1, 2, 3, 5, 6]) {
          const q: WindowQuery = { after, before, count };
          expect(await cache.tailWindow('t1', 'w', q), JSON.stringify(q)).toStrictEqual(windowOfTail(whole, q));
        }
      }
    }
    expect(await cache.tailWindow('t1', 'w', { count: 2 })).toStrictEqual({ messages: whole.messages.slice(3), from: 7, firstSeq: 4, lastSeq: 8 });
    expect(await cache.tailWindow('t1', 'w', { after: 5, count: 2 })).toStrictEqual({ messages: whole.messages.slice(2, 4), from: 6, firstSeq: 4, lastSeq: 8 });
    expect(await cache.tailWindow('t1', 'w', { before: 4, count: 2 })).toStrictEqual({ messages: [], from: 4, firstSeq: 4, lastSeq: 8 });
    await fill(cache, 'empty', []);
    expect(await cache.tailWindow('t1', 'empty', { count: 3 })).toStrictEqual({ messages: [], from: 1, firstSeq: 1, lastSeq: 0 });
    expect(await cache.tailWindow('t1', 'empty', { after: 0, count: 3 })).toStrictEqual({ messages: [], from: 1, firstSeq: 1, lastSeq: 0 });
    // Appends move the window; a gap drops it like the tail.
    await cache.messageCommitted('t1', msg(9, 'w'));
    expect((await cache.tailWindow('t1', 'w', { count: 1 }))?.messages).toStrictEqual([msg(9, 'w')]);
    await cache.messageCommitted('t1', msg(11, 'w'));
    expect(await cache.tailWindow('t1', 'w', { count: 1 })).toBeUndefined();
  });

  it('trims to maxMessages on fill and on append', async () => {
    const { cache } = await backend.make(options);
    await fill(cache, 'trim', msgs(1, 8, 'trim'));
    expect(await cache.tail('t1', 'trim')).toStrictEqual({ messages: msgs(4, 8, 'trim'), lastSeq: 8 });
    for (const seq of [9, 10]) await cache.messageCommitted('t1', msg(seq, 'trim'));
    expect(await cache.tail('t1', 'trim')).toStrictEqual({ messages: msgs(6, 10, 'trim'), lastSeq: 10 });
  });

  it('keeps tenants and conversations apart', async () => {
    const { cache } = await backend.make(options);
    await fill(cache, 'x', [msg(1, 'x')]);
    await cache.fillConversation('t1', 'x', await cache.version('t1', 'x'), conv('x', 1));
    expect(await cache.tail('t2', 'x')).toBeUndefined();
    expect(await cache.tail('t1', 'y')).toBeUndefined();
    expect(await cache.conversation('t2', 'x')).toBeUndefined();
    await cache.messageCommitted('t2', msg(2, 'x'));
    await cache.conversationChanged('t2', 'x');
    await cache.messageCommitted('t1', msg(2, 'y'));
    expect(await cache.tail('t1', 'x')).toStrictEqual({ messages: [msg(1, 'x')], lastSeq: 1 });
    expect(await cache.conversation('t1', 'x')).toStrictEqual(conv('x', 1));
  });

  it('caches summaries, drops them on a change, and advances them on a commit', async () => {
    const { cache } = await backend.make(options);
    expect(await cache.conversation('t1', 's')).toBeUndefined();
    expect(await cache.fillConversation('t1', 's', await cache.version('t1', 's'), conv('s', 3))).toBe(true);
    expect(await cache.conversation('t1', 's')).toStrictEqual(conv('s', 3));
    await cache.conversationChanged('t1', 's');
    expect(await cache.conversation('t1', 's')).toBeUndefined();
    await fill(cache, 's', msgs(1, 3, 's'));
    await cache.fillConversation('t1', 's', await cache.version('t1', 's'), conv('s', 3));
    await cache.messageCommitted('t1', msg(4, 's'));
    await cache.messageCommitted('t1', msg(2, 's')); // late and old: moves nothing back
    const advanced = { ...conv('s', 4), lastActivityAt: msg(4, 's').createdAt, updatedAt: msg(4, 's').createdAt };
    expect(await cache.conversation('t1', 's')).toStrictEqual(advanced);
    expect((await cache.tail('t1', 's'))?.lastSeq).toBe(4);
    await cache.conversationChanged('t1', 's');
    expect(await cache.conversation('t1', 's')).toBeUndefined();
    expect((await cache.tail('t1', 's'))?.lastSeq).toBe(4); // a row change leaves the tail alone
    expect(cache.stats().conversation).toEqual({ hits: 2, misses: 3 });
  });

  it('expires entries after the TTL, which appends refresh', { timeout: 10_000 }, async () => {
    const { cache } = await backend.make({ ...options, ttlSeconds: 1 });
    await fill(cache, 'ttl', [msg(1, 'ttl')]);
    await cache.fillConversation('t1', 'ttl', await cache.version('t1', 'ttl'), conv('ttl', 1));
    await fill(cache, 'idle', [msg(1, 'idle')]);
    await sleep(600);
    await cache.messageCommitted('t1', msg(2, 'ttl'));
    await sleep(600);
    expect((await cache.tail('t1', 'ttl'))?.lastSeq).toBe(2);
    expect(await cache.tail('t1', 'idle')).toBeUndefined();
    await sleep(1100);
    expect(await cache.tail('t1', 'ttl')).toBeUndefined();
    expect(await cache.conversation('t1', 'ttl')).toBeUndefined();
    expect(await fill(cache, 'ttl', msgs(1, 2, 'ttl'))).toBe(true); // and it fills again
  });
});

describe.each(backends.slice(1))('warm cache on $name after eviction (allkeys-lru)', (backend) => {
  it('refuses a fill whose version key was evicted, and never hands the old version out again', async () => {
    const { cache, evict } = await backend.make(options);
    const v = await cache.version('t1', 'e');
    await evict!('t1', 'e', 'v');
    expect(await cache.fillTail('t1', 'e', v, { messages: [msg(1, 'e')], lastSeq: 1 })).toBe(false);
    expect(await cache.fillConversation('t1', 'e', v, conv('e', 1))).toBe(false);
    expect(await cache.version('t1', 'e')).not.toBe(v);
  });

  it('misses a tail whose list was evicted, and drops it on the next commit', async () => {
    const { cache, evict } = await backend.make(options);
    await fill(cache, 'l', msgs(1, 2, 'l'));
    await evict!('t1', 'l', 'm');
    expect(await cache.tail('t1', 'l')).toBeUndefined();
    expect(await cache.tailWindow('t1', 'l', { count: 1 })).toBeUndefined();
    await cache.messageCommitted('t1', msg(3, 'l'));
    expect(await cache.tail('t1', 'l')).toBeUndefined();
    expect(await fill(cache, 'l', msgs(1, 3, 'l'))).toBe(true);
    expect(await cache.tail('t1', 'l')).toStrictEqual({ messages: msgs(1, 3, 'l'), lastSeq: 3 });
  });
});

describe('in-process warm cache bounded by entries', () => {
  it('drops the least recently used conversation and never reuses a version', async () => {
    const cache = new MemoryWarmCache({ ...options, maxConversations: 2 });
    const v = await cache.version('t1', 'old');
    await fill(cache, 'b', [msg(1, 'b')]);
    await fill(cache, 'c', [msg(1, 'c')]); // evicts 'old'
    expect(await cache.fillTail('t1', 'old', v, { messages: [msg(1, 'old')], lastSeq: 1 })).toBe(false);
    expect(await cache.version('t1', 'old')).not.toBe(v);
    expect(await cache.tail('t1', 'b')).toBeUndefined(); // evicted by 'old' coming back
    expect((await cache.tail('t1', 'c'))?.lastSeq).toBe(1);
  });
});

describe('Redis warm cache while Redis is unavailable', () => {
  /** What the server passes to connectRedis for the cache client. */
  const cacheClientOptions = { enableOfflineQueue: false, commandTimeout: 500, maxRetriesPerRequest: 0 };

  it('answers misses and no-ops without throwing, and works again after a restart', { timeout: 30_000 }, async () => {
    const redis = await TestRedis.start();
    const client = connectRedis({ url: redis.url, cluster: false }, cacheClientOptions);
    client.on('error', () => {});
    const errors: unknown[] = [];
    const cache = new RedisWarmCache(client, new RedisKeys(uniquePrefix('down')), { ...options, onError: (e) => errors.push(e) });
    onTestFinished(async () => {
      await cache.close();
      client.disconnect();
      await redis.stop();
    });
    await new Promise((r) => client.once('ready', r));
    expect(await fill(cache, 'c', [msg(1, 'c')])).toBe(true);
    await redis.kill();
    const started = Date.now();
    expect(await cache.tail('t1', 'c')).toBeUndefined();
    expect(await cache.conversation('t1', 'c')).toBeUndefined();
    expect(await cache.version('t1', 'c')).toBe(-1);
    expect(await cache.fillTail('t1', 'c', 0, { messages: [], lastSeq: 0 })).toBe(false);
    expect(await cache.fillConversation('t1', 'c', 0, conv('c', 0))).toBe(false);
    await cache.messageCommitted('t1', msg(2, 'c'));
    await cache.conversationChanged('t1', 'other');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(cache.backlog).toBe(2);
    expect(errors.length).toBeGreaterThanOrEqual(7);
    expect(cache.stats()).toEqual({ tail: { hits: 0, misses: 1 }, conversation: { hits: 0, misses: 1 } });
    await redis.startProcess();
    const deadline = Date.now() + 10_000;
    while (cache.backlog > 0 && Date.now() < deadline) await sleep(100);
    expect(cache.backlog).toBe(0);
    expect(await fill(cache, 'c', msgs(1, 2, 'c'))).toBe(true);
    expect(await cache.tail('t1', 'c')).toStrictEqual({ messages: msgs(1, 2, 'c'), lastSeq: 2 });
  });

  it('with writes on a queueing connection (as the server wires it), fails them at once while Redis is down', { timeout: 30_000 }, async () => {
    const redis = await TestRedis.start();
    const reads = connectRedis({ url: redis.url, cluster: false }, cacheClientOptions);
    // The bus publisher's connection: it queues commands while disconnected, and has no command timeout.
    const writes = connectRedis({ url: redis.url, cluster: false });
    for (const c of [reads, writes]) c.on('error', () => {});
    const cache = new RedisWarmCache(reads, new RedisKeys(uniquePrefix('split')), { ...options, timeoutMs: 5000, writeClient: writes });
    onTestFinished(async () => {
      await cache.close();
      reads.disconnect();
      writes.disconnect();
      await redis.stop();
    });
    await Promise.all([reads, writes].map((c) => new Promise((r) => c.once('ready', r))));
    expect(await fill(cache, 'c', [msg(1, 'c')])).toBe(true);
    await cache.messageCommitted('t1', msg(2, 'c')); // through the write connection
    expect(await cache.tail('t1', 'c')).toStrictEqual({ messages: msgs(1, 2, 'c'), lastSeq: 2 });
    await redis.kill();
    await new Promise((r) => writes.once('close', r));
    const started = Date.now();
    await cache.messageCommitted('t1', msg(3, 'c'));
    await cache.conversationChanged('t1', 'other');
    // Not held in the offline queue until timeoutMs (5 s): the ack of a send must not wait for Redis.
    expect(Date.now() - started).toBeLessThan(1000);
    expect(cache.backlog).toBe(2);
    await redis.startProcess();
    const deadline = Date.now() + 10_000;
    while (cache.backlog > 0 && Date.now() < deadline) await sleep(100);
    expect(cache.backlog).toBe(0);
    expect(await cache.tail('t1', 'c')).toBeUndefined(); // the retry deleted the stale tail
  });

  it('keeps missing a conversation whose invalidation was lost until the retry deletes it', { timeout: 15_000 }, async () => {
    const prefix = uniquePrefix('lost');
    const [clientA, clientB] = [connectRedis({ url: SHARED_REDIS_URL, cluster: false }, cacheClientOptions), connectRedis({ url: SHARED_REDIS_URL, cluster: false })];
    clientA.on('error', () => {});
    const [nodeA, nodeB] = [new RedisWarmCache(clientA, new RedisKeys(prefix), options), new RedisWarmCache(clientB, new RedisKeys(prefix), options)];
    onTestFinished(async () => {
      await Promise.all([nodeA.close(), nodeB.close()]);
      await deleteKeys(clientB, prefix);
      clientA.disconnect();
      clientB.disconnect();
    });
    await new Promise((r) => clientA.once('ready', r));
    await fill(nodeB, 'c', [msg(1, 'c')]);
    const ended = new Promise((r) => clientA.once('end', r));
    clientA.disconnect(); // node A loses Redis; node B does not
    await nodeA.messageCommitted('t1', msg(2, 'c'));
    expect(nodeA.backlog).toBe(1);
    await ended;
    await clientA.connect();
    expect((await nodeB.tail('t1', 'c'))?.lastSeq).toBe(1); // the documented window on other nodes
    expect(nodeA.backlog).toBe(1);
    expect(await nodeA.tail('t1', 'c')).toBeUndefined(); // reachable again, but node A knows better
    expect(await nodeA.fillTail('t1', 'c', await nodeA.version('t1', 'c'), { messages: [msg(1, 'c')], lastSeq: 1 })).toBe(false);
    const deadline = Date.now() + 5000;
    while (nodeA.backlog > 0 && Date.now() < deadline) await sleep(50);
    expect(nodeA.backlog).toBe(0);
    expect(await nodeB.tail('t1', 'c')).toBeUndefined();
  });

  it('bounds every call by timeoutMs even when the connection never answers', { timeout: 15_000 }, async () => {
    const sockets: net.Socket[] = [];
    const blackHole = net.createServer((s) => sockets.push(s)); // accepts, never replies
    await new Promise<void>((r) => blackHole.listen(0, '127.0.0.1', r));
    const client = connectRedis({ url: `redis://127.0.0.1:${(blackHole.address() as net.AddressInfo).port}`, cluster: false });
    client.on('error', () => {});
    const cache = new RedisWarmCache(client, new RedisKeys(uniquePrefix('hole')), { ...options, timeoutMs: 300 });
    onTestFinished(async () => {
      await cache.close();
      client.disconnect();
      sockets.forEach((s) => s.destroy());
      await new Promise((r) => blackHole.close(r));
    });
    const started = Date.now();
    const results = await Promise.all([cache.tail('t1', 'c'), cache.version('t1', 'c'), cache.messageCommitted('t1', msg(1, 'c'))]);
    expect(results).toEqual([undefined, -1, undefined]);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(cache.backlog).toBe(1);
  });
});
