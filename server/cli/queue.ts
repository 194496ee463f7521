import { AppError } from '../errors.js';
import { RedisStreamQueue } from '../queue/redis.js';
import { connectRedis, RedisKeys } from '../redis/client.js';
import type { CliCommand, CliContext } from './context.js';

/** Runs `fn` against the deployment's Redis queues, closing the connection afterwards. */
async function withQueue<T>(ctx: CliContext, fn: (q: RedisStreamQueue) => Promise<T>): Promise<T> {
  const config = ctx.config();
  if (!config.redisUrl) {
    throw new AppError('SB_ERR_UNAVAILABLE', 'Without REDIS_URL the queues live inside the server process; there is nothing to inspect from here.');
  }
  const client = connectRedis({ url: config.redisUrl, cluster: config.redisCluster });
  client.on('error', () => {}); // a failed command reports the problem
  const queue = new RedisStreamQueue({ client, keys: new RedisKeys(config.redisPrefix) });
  try {
    return await fn(queue);
  } finally {
    await queue.close();
    client.disconnect();
  }
}

/** `switchboard queue stats|dead|replay`: operate the hot-tier work queues. */
export const queueCommand: CliCommand = (program, ctx) => {
  const queue = program.command('queue').description('inspect work queues and their dead letters (needs REDIS_URL)');

  queue
    .command('stats <stream>')
    .description('print pending, delayed and dead counts of a stream')
    .action(async (stream: string) => ctx.print({ stream, ...(await withQueue(ctx, (q) => q.stats(stream))) }));

  queue
    .command('dead <stream>')
    .description('list dead letters, oldest first, one JSON line each')
    .option('--limit <n>', 'most to list', '100')
    .action(async (stream: string, opts: { limit: string }) => {
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new AppError('SB_ERR_VALIDATION', '--limit must be 1..10000');
      for (const dead of await withQueue(ctx, (q) => q.deadLetters(stream, limit))) ctx.print(dead);
    });

  queue
    .command('replay <stream> <id>')
    .description('put one dead letter back on its stream with its attempts reset')
    .action(async (stream: string, id: string) => {
      const replayed = await withQueue(ctx, (q) => q.replayDead(stream, id));
      if (!replayed) throw new AppError('SB_ERR_NOT_FOUND', `No dead letter ${id} on ${stream}.`);
      ctx.print({ stream, id, replayed: true });
    });
};
