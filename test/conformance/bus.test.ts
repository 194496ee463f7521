import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bus, BusEvent } from '../../server/bus/bus.js';
import { MemoryBus } from '../../server/bus/memory.js';
import { RedisBus } from '../../server/bus/redis.js';
import { connectRedis, RedisKeys, type RedisClient } from '../../server/redis/client.js';
import { SHARED_REDIS_URL, TestRedis, TestRedisCluster, uniquePrefix } from '../helpers/redis.js';

const event = (n: number): BusEvent => ({
  kind: 'typing',
  tenantId: 't1',
  contactId: 'c1',
  conversationId: `conv-${n}`,
  actor: { type: 'contact', id: 'c1' },
  on: true,
});

/** Collects events and waits until it has `n` of them. */
function collector() {
  const got: BusEvent[] = [];
  let waiter: (() => void) | undefined;
  let want = 0;
  return {
    got,
    handler: (e: BusEvent) => {
      got.push(e);
      if (waiter && got.length >= want) waiter();
    },
    waitFor: (n: number, ms = 3000) =>
      new Promise<void>((resolve, reject) => {
        if (got.length >= n) return resolve();
        want = n;
        const t = setTimeout(() => reject(new Error(`got ${got.length} of ${n} events`)), ms);
        waiter = () => {
          clearTimeout(t);
          resolve();
        };
      }),
  };
}

interface Backend {
  name: string;
  /** Two buses standing for two nodes (the same one for the in-process bus). */
  nodes(): Promise<{ a: Bus; b: Bus; close(): Promise<void> }>;
}

function redisNodes(url: string, cluster: boolean) {
  return async () => {
    const keys = new RedisKeys(uniquePrefix('bus'));
    const clients: RedisClient[] = [];
    const open = () => {
      const c = connectRedis({ url, cluster });
      c.on('error', () => {}); // outages are provoked on purpose in these tests
      clients.push(c);
      return c;
    };
    const a = new RedisBus({ publisher: open(), subscriber: open(), keys, cluster });
    const b = new RedisBus({ publisher: open(), subscriber: open(), keys, cluster });
    return {
      a,
      b,
      close: async () => {
        await a.close();
        await b.close();
        clients.forEach((c) => c.disconnect());
      },
    };
  };
}

let cluster: TestRedisCluster;
const backends: Backend[] = [
  {
    name: 'in-process',
    nodes: async () => {
      const bus = new MemoryBus();
      return { a: bus, b: bus, close: () => bus.close() };
    },
  },
  { name: 'standalone Redis', nodes: redisNodes(SHARED_REDIS_URL, false) },
  { name: 'Redis Cluster', nodes: () => redisNodes(cluster.url, true)() },
];

beforeAll(async () => {
  cluster = await TestRedisCluster.start();
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
});

describe.each(backends)('bus conformance: $name', (backend) => {
  it('delivers an event published on one node to subscribers on another, in order', async () => {
    const { a, b, close } = await backend.nodes();
    const c = collector();
    await b.subscribe('t:{t1}', c.handler);
    for (let i = 0; i < 50; i++) await a.publish('t:{t1}', event(i));
    await c.waitFor(50);
    expect(c.got.map((e) => (e as { conversationId: string }).conversationId)).toEqual(Array.from({ length: 50 }, (_, i) => `conv-${i}`));
    await close();
  });

  it('delivers only the topics a node subscribed to', async () => {
    const { a, b, close } = await backend.nodes();
    const mine = collector();
    const other = collector();
    await b.subscribe('c:{t1}:alice', mine.handler);
    await b.subscribe('c:{t1}:bob', other.handler);
    await a.publish('c:{t1}:alice', event(1));
    await a.publish('c:{t2}:alice', event(2));
    await mine.waitFor(1);
    await new Promise((r) => setTimeout(r, 100));
    expect(mine.got).toHaveLength(1);
    expect(other.got).toHaveLength(0);
    await close();
  });

  it('stops delivering after unsubscribe, per handler', async () => {
    const { a, b, close } = await backend.nodes();
    const first = collector();
    const second = collector();
    const off = await b.subscribe('t:{t9}', first.handler);
    await b.subscribe('t:{t9}', second.handler);
    await a.publish('t:{t9}', event(1));
    await Promise.all([first.waitFor(1), second.waitFor(1)]);
    await off();
    await a.publish('t:{t9}', event(2));
    await second.waitFor(2);
    expect(first.got).toHaveLength(1);
    await close();
  });
});

describe('Redis bus across a Redis restart', () => {
  it('resubscribes by itself, signals resync, and delivers again', { timeout: 30_000 }, async () => {
    const redis = await TestRedis.start();
    const { a, b, close } = await redisNodes(redis.url, false)();
    try {
      const c = collector();
      let resyncs = 0;
      b.onResync(() => resyncs++);
      await b.subscribe('t:{t1}', c.handler);
      await a.publish('t:{t1}', event(1));
      await c.waitFor(1);

      await redis.restart(300);
      const deadline = Date.now() + 15_000;
      while (resyncs === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(resyncs).toBeGreaterThan(0);
      await a.publish('t:{t1}', event(2));
      await c.waitFor(2, 5000);
      expect(c.got.map((e) => (e as { conversationId: string }).conversationId)).toEqual(['conv-1', 'conv-2']);
    } finally {
      await close();
      await redis.stop();
    }
  });
});
