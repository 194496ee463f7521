import { connectRedis } from '../../server/redis/client.js';

/** Redis' own counters: commands run, and read events handled (about one per client write it read). */
export interface RedisCounters {
  commands: number;
  reads: number;
}

/** Reads the counters from `INFO stats`; anything else using that Redis meanwhile counts too. */
export async function redisCounters(url: string): Promise<RedisCounters> {
  const redis = connectRedis({ url, cluster: false });
  try {
    const info = await redis.info('stats');
    const field = (name: string) => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)?.[1] ?? NaN);
    return { commands: field('total_commands_processed'), reads: field('total_reads_processed') };
  } finally {
    redis.disconnect();
  }
}

/** Counter increase per unit of work (message, request), one decimal. */
export function redisPerUnit(before: RedisCounters, after: RedisCounters, units: number): RedisCounters {
  const per = (n: number) => Math.round((n * 10) / units) / 10;
  return { commands: per(after.commands - before.commands), reads: per(after.reads - before.reads) };
}
