import type { Config } from './config.js';
import type { Logger } from './logger.js';
import type { Bus } from './bus/bus.js';
import { MemoryBus } from './bus/memory.js';
import { RedisBus } from './bus/redis.js';
import { connectRedis, RedisKeys, type RedisClient } from './redis/client.js';

/** The warm, hot and fan-out tiers of one node: Redis-backed with `REDIS_URL`, in-process without. */
export interface Tiers {
  readonly kind: 'redis' | 'memory';
  readonly bus: Bus;
  /** True when the tiers' backing store answers (always true in-process). */
  ready(): Promise<boolean>;
  close(): Promise<void>;
}

/** Part of the composition root: builds the tiers from config. */
export function createTiers(config: Config, log: Logger): Tiers {
  if (!config.redisUrl) {
    const bus = new MemoryBus();
    return { kind: 'memory', bus, ready: async () => true, close: () => bus.close() };
  }
  const keys = new RedisKeys(config.redisPrefix);
  const target = { url: config.redisUrl, cluster: config.redisCluster };
  const clients: RedisClient[] = [];
  const open = (name: string) => {
    const client = connectRedis(target);
    client.on('error', (err: Error) => log.warn({ err: { message: err.message }, client: name }, 'redis connection error'));
    clients.push(client);
    return client;
  };
  const publisher = open('commands');
  const bus = new RedisBus({
    publisher,
    subscriber: open('subscriber'),
    keys,
    cluster: config.redisCluster,
    onError: (err) => log.warn({ err }, 'redis bus error'),
  });
  return {
    kind: 'redis',
    bus,
    ready: async () => (await publisher.ping()) === 'PONG',
    close: async () => {
      await bus.close();
      await Promise.all(clients.map((c) => c.quit().catch(() => c.disconnect())));
    },
  };
}
