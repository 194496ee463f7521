import { Cluster, Redis, type RedisOptions } from 'ioredis';

/** A standalone client or a cluster client; both speak the commands the tiers use. */
export type RedisClient = Redis | Cluster;

export interface RedisConnectOptions {
  /** `redis://host:port[/db]`; for a cluster, one or more seed URLs separated by commas. */
  url: string;
  cluster: boolean;
  /** Prefix for every key and channel, so several deployments (or tests) can share a server. */
  keyPrefix?: string;
}

const commonOptions: RedisOptions = {
  // Keep retrying forever with a capped backoff: a node outlives a Redis restart.
  retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 6), 2000),
  maxRetriesPerRequest: 3,
  enableAutoPipelining: true,
};

/** Opens a Redis (or Redis Cluster) connection. Callers own it and must `quit()` it. */
export function connectRedis(opts: RedisConnectOptions, extra: RedisOptions = {}): RedisClient {
  const urls = opts.url.split(',').map((u) => u.trim()).filter(Boolean);
  // ioredis' option types do not survive exactOptionalPropertyTypes; the values are plain options.
  if (!opts.cluster) return new Redis(urls[0]!, { ...commonOptions, ...extra } as never);
  const nodes = urls.map((u) => {
    const parsed = new URL(u);
    return { host: parsed.hostname, port: Number(parsed.port || 6379) };
  });
  return new Cluster(nodes, {
    redisOptions: { ...commonOptions, ...extra } as never,
    clusterRetryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 5), 2000),
    enableAutoPipelining: true,
    // The cluster client keeps its own offline queue; a caller that wants none (the cache) means both.
    enableOfflineQueue: extra.enableOfflineQueue ?? true,
  });
}

/**
 * Key naming shared by every Redis tier. `{…}` is the hash tag: all keys of one conversation (or
 * one tenant) land in one cluster slot, so multi-key scripts stay legal on Redis Cluster.
 */
export class RedisKeys {
  constructor(readonly prefix = 'sb') {}
  conversation(tenantId: string, conversationId: string, part: string): string {
    return `${this.prefix}:{${tenantId}:${conversationId}}:${part}`;
  }
  tenant(tenantId: string, part: string): string {
    return `${this.prefix}:{${tenantId}}:${part}`;
  }
  /** A stream and its companions (delayed set, dead letters) share one tag. */
  stream(name: string, part = 'stream'): string {
    return `${this.prefix}:{q:${name}}:${part}`;
  }
  channel(topic: string): string {
    return `${this.prefix}:bus:${topic}`;
  }
}
