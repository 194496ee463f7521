import { connectRedis } from '../../server/redis/client.js';
import { redisCounters as countersOver, type RedisCounters } from '../../test/helpers/redis.js';

export type { RedisCounters };

/** Redis' counters read over a connection of its own (see `test/helpers/redis.ts`). */
export async function redisCounters(url: string): Promise<RedisCounters> {
  const redis = connectRedis({ url, cluster: false });
  try {
    return await countersOver(redis);
  } finally {
    redis.disconnect();
  }
}

/** Counter increase per unit of work (message, request), one decimal. */
export function redisPerUnit(before: RedisCounters, after: RedisCounters, units: number): RedisCounters {
  const per = (n: number) => Math.round((n * 10) / units) / 10;
  return { commands: per(after.commands - before.commands), reads: per(after.reads - before.reads) };
}
