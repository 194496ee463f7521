import type { RedisClient, RedisKeys } from '../redis/client.js';
import { presenceMember, agentOfMember, type Presence } from './presence.js';

// Expiry is judged by the Redis server's clock (TIME inside the scripts), so nodes whose clocks
// disagree still agree on who is online. A tenant's set lives on one server (one hash tag),
// so one clock decides for all of its members, on Redis Cluster too.
const NOW_MS = `local t = redis.call('TIME'); local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

const PRESENCE_SCRIPTS = {
  /** KEYS: set; ARGV: member, ttlMs. The set's own TTL only ever grows, to twice the longest ttl. */
  sbPresenceBeat: {
    numberOfKeys: 1,
    lua: `${NOW_MS}
      redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
      local keep = 2 * tonumber(ARGV[2])
      if redis.call('PTTL', KEYS[1]) < keep then redis.call('PEXPIRE', KEYS[1], keep) end
      return 1`,
  },
  /** KEYS: set → members not expired, after removing the expired ones. */
  sbPresenceOnline: {
    numberOfKeys: 1,
    lua: `${NOW_MS}
      redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
      return redis.call('ZRANGE', KEYS[1], 0, -1)`,
  },
} as const;

type PresenceScripts = RedisClient & {
  sbPresenceBeat(key: string, member: string, ttlMs: number): Promise<number>;
  sbPresenceOnline(key: string): Promise<string[]>;
};

/**
 * Presence in one sorted set per tenant (`tenant(t, 'presence')`): member `agentId|nodeId`,
 * score = expiry in ms by the Redis server's clock. `online` drops expired members first. The
 * set expires by itself twice the longest ttl after the last heartbeat, so an idle tenant leaves
 * nothing behind. Redis errors are thrown to the caller.
 */
export class RedisPresence implements Presence {
  private readonly redis: PresenceScripts;

  constructor(
    client: RedisClient,
    private readonly keys: RedisKeys,
  ) {
    for (const [name, def] of Object.entries(PRESENCE_SCRIPTS)) if (!(name in client)) client.defineCommand(name, def);
    this.redis = client as PresenceScripts;
  }

  async heartbeat(tenantId: string, agentId: string, nodeId: string, ttlMs: number): Promise<void> {
    if (!(ttlMs > 0)) throw new RangeError('ttlMs must be positive');
    await this.redis.sbPresenceBeat(this.key(tenantId), presenceMember(agentId, nodeId), Math.ceil(ttlMs));
  }

  async leave(tenantId: string, agentId: string, nodeId: string): Promise<void> {
    await this.redis.zrem(this.key(tenantId), presenceMember(agentId, nodeId));
  }

  async online(tenantId: string): Promise<string[]> {
    const members = await this.redis.sbPresenceOnline(this.key(tenantId));
    return [...new Set(members.map(agentOfMember))].sort();
  }

  /** The client belongs to the caller. */
  async close(): Promise<void> {}

  private key(tenantId: string): string {
    return this.keys.tenant(tenantId, 'presence');
  }
}
