import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Presence } from '../../server/presence/presence.js';
import { MemoryPresence } from '../../server/presence/memory.js';
import { RedisPresence } from '../../server/presence/redis.js';
import { connectRedis, RedisKeys } from '../../server/redis/client.js';
import { SHARED_REDIS_URL, TestRedisCluster, uniquePrefix } from '../helpers/redis.js';

let cluster: TestRedisCluster;
beforeAll(async () => {
  cluster = await TestRedisCluster.start();
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
});

const redisBackend = (url: () => string, isCluster: boolean) => async () => {
  const client = connectRedis({ url: url(), cluster: isCluster });
  return { presence: new RedisPresence(client, new RedisKeys(uniquePrefix('presence'))) as Presence, close: async () => client.disconnect() };
};
const backends: { name: string; make: () => Promise<{ presence: Presence; close(): Promise<void> }> }[] = [
  { name: 'in-process', make: async () => ({ presence: new MemoryPresence(), close: async () => {} }) },
  { name: 'standalone Redis', make: redisBackend(() => SHARED_REDIS_URL, false) },
  { name: 'Redis Cluster', make: redisBackend(() => cluster.url, true) },
];

describe.each(backends)('presence conformance: $name', (backend) => {
  it('shows an agent online after a heartbeat, and offline after it expires', async () => {
    const { presence, close } = await backend.make();
    await presence.heartbeat('t1', 'alice', 'node-a', 300);
    await presence.heartbeat('t1', 'bob', 'node-b', 5000);
    expect(await presence.online('t1')).toEqual(['alice', 'bob']);
    await new Promise((r) => setTimeout(r, 400));
    expect(await presence.online('t1')).toEqual(['bob']);
    await close();
  });

  it('keeps an agent online while another node still has it', async () => {
    const { presence, close } = await backend.make();
    await presence.heartbeat('t1', 'alice', 'node-a', 5000);
    await presence.heartbeat('t1', 'alice', 'node-b', 5000);
    await presence.leave('t1', 'alice', 'node-a');
    expect(await presence.online('t1')).toEqual(['alice']);
    await presence.leave('t1', 'alice', 'node-b');
    expect(await presence.online('t1')).toEqual([]);
    await close();
  });

  it('keeps tenants apart', async () => {
    const { presence, close } = await backend.make();
    await presence.heartbeat('t1', 'alice', 'node-a', 5000);
    expect(await presence.online('t2')).toEqual([]);
    await close();
  });
});
