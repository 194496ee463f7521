import type { RedisClient, RedisKeys } from '../redis/client.js';
import type { Presence } from './presence.js';

/**
 * Presence in one sorted set per tenant: member `agentId|nodeId`, score = expiry in ms. Expiry
 * is judged by each caller's clock; nodes are expected to run NTP, and the TTL (three renewal
 * intervals) absorbs small skews.
 */
export class RedisPresence implements Presence {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly now: () => number = Date.now,
  ) {}

  async heartbeat(tenantId: string, agentId: string, nodeId: string, ttlMs: number): Promise<void> {
    const key = this.keys.tenant(tenantId, 'presence');
    await this.redis.zadd(key, this.now() + ttlMs, `${agentId}|${nodeId}`);
    // The set outlives its members only briefly, so an idle tenant leaves nothing behind.
    await this.redis.pexpire(key, ttlMs * 2);
  }

  async leave(tenantId: string, agentId: string, nodeId: string): Promise<void> {
    await this.redis.zrem(this.keys.tenant(tenantId, 'presence'), `${agentId}|${nodeId}`);
  }

  async online(tenantId: string): Promise<string[]> {
    const key = this.keys.tenant(tenantId, 'presence');
    const now = this.now();
    await this.redis.zremrangebyscore(key, '-inf', now);
    const members = await this.redis.zrangebyscore(key, `(${now}`, '+inf');
    return [...new Set(members.map((m) => m.slice(0, m.lastIndexOf('|'))))].sort();
  }

  async close(): Promise<void> {}
}
