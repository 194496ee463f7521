import type { Config } from './config.js';
import type { Logger } from './logger.js';
import type { Bus } from './bus/bus.js';
import { MemoryBus } from './bus/memory.js';
import { RedisBus } from './bus/redis.js';
import type { WarmCache } from './cache/warm.js';
import { MemoryWarmCache } from './cache/memory.js';
import { RedisWarmCache } from './cache/redis.js';
import type { Presence } from './presence/presence.js';
import { MemoryPresence } from './presence/memory.js';
import { RedisPresence } from './presence/redis.js';
import type { JobQueue } from './queue/queue.js';
import { MemoryQueue } from './queue/memory.js';
import { RedisStreamQueue } from './queue/redis.js';
import { connectRedis, RedisKeys, type RedisClient } from './redis/client.js';
import { MemoryLeaseStore, RedisLeaseStore, type LeaseStore } from './channels/lease.js';

/** The warm, hot and fan-out tiers of one node: Redis-backed with `REDIS_URL`, in-process without. */
export interface Tiers {
  readonly kind: 'redis' | 'memory';
  /**
   * A warm-tier write, then a publish or enqueue issued right after it without waiting, take
   * effect in that order: in-process, and on one Redis server (they share one connection);
   * not on Redis Cluster, where a channel and a conversation may live on different servers.
   */
  readonly keepsOrder: boolean;
  readonly bus: Bus;
  readonly cache: WarmCache;
  readonly queue: JobQueue;
  readonly presence: Presence;
  /** Leases that make one node at a time do a job (polling a channel): Redis across nodes, else in-process. */
  readonly leases: LeaseStore;
  /** Where cross-node rate limits keep their counters (none in-process). */
  rateLimitStore(name: string): { client: RedisClient; keyPrefix: string } | undefined;
  /** True when the tiers' backing store answers (always true in-process). */
  ready(): Promise<boolean>;
  close(): Promise<void>;
}

export interface TierHooks {
  onCacheLookup(kind: string, hit: boolean): void;
}

/** Part of the composition root: builds the tiers from config. */
export function createTiers(config: Config, log: Logger, hooks: TierHooks): Tiers {
  const cacheOptions = { ttlSeconds: config.cacheTtlSeconds, maxMessages: config.cacheMaxMessages, onLookup: hooks.onCacheLookup };
  if (!config.redisUrl) {
    const bus = new MemoryBus();
    const cache = new MemoryWarmCache(cacheOptions);
    const queue = new MemoryQueue({ onError: (err) => log.warn({ err }, 'queue error') });
    const presence = new MemoryPresence();
    return {
      kind: 'memory',
      keepsOrder: true,
      bus,
      cache,
      queue,
      presence,
      leases: new MemoryLeaseStore(),
      rateLimitStore: () => undefined,
      ready: async () => true,
      close: async () => {
        await queue.close();
        await Promise.all([bus.close(), cache.close(), presence.close()]);
      },
    };
  }
  const keys = new RedisKeys(config.redisPrefix);
  const target = { url: config.redisUrl, cluster: config.redisCluster };
  const clients: RedisClient[] = [];
  const open = (name: string, extra = {}) => {
    const client = connectRedis(target, extra);
    client.on('error', (err: Error) => log.warn({ err: { message: err.message }, client: name }, 'redis connection error'));
    clients.push(client);
    return client;
  };
  const commands = open('commands');
  // The cache answers "miss" at once while Redis is away rather than queueing commands.
  const cacheClient = open('cache', { enableOfflineQueue: false, commandTimeout: 500, maxRetriesPerRequest: 0 });
  const bus = new RedisBus({
    publisher: commands,
    subscriber: open('subscriber'),
    keys,
    cluster: config.redisCluster,
    onError: (err) => log.warn({ err }, 'redis bus error'),
  });
  // Commits and invalidations share the publisher's connection: a message's warm commit, its
  // publishes and its routing job leave in one write, in order (see RedisWarmCacheOptions.writeClient).
  const cache = new RedisWarmCache(cacheClient, keys, { ...cacheOptions, timeoutMs: 500, writeClient: commands });
  const queue = new RedisStreamQueue({ client: commands, keys, onError: (err) => log.warn({ err }, 'queue error') });
  const presence = new RedisPresence(commands, keys);
  return {
    kind: 'redis',
    keepsOrder: !config.redisCluster,
    bus,
    cache,
    queue,
    presence,
    leases: new RedisLeaseStore(commands, `${config.redisPrefix}:lease`),
    rateLimitStore: (name) => ({ client: commands, keyPrefix: `${config.redisPrefix}:{rl}:${name}` }),
    ready: async () => (await commands.ping()) === 'PONG',
    close: async () => {
      await queue.close();
      await Promise.all([bus.close(), cache.close(), presence.close()]);
      await Promise.all(clients.map((c) => c.quit().catch(() => c.disconnect())));
    },
  };
}
