/**
 * A separate consumer process for the "consumer dies mid-job" test: it consumes one stream of a
 * RedisStreamQueue and, on every job, prints `started <jobId> <attempts>` and never finishes, so
 * the test can SIGKILL it while the job is pending on it.
 * argv: <redisUrl> <cluster: 1|0> <keyPrefix> <stream> <consumerName>
 */
import { RedisStreamQueue } from '../../server/queue/redis.js';
import { connectRedis, RedisKeys } from '../../server/redis/client.js';

const [url, cluster, prefix, stream, consumer] = process.argv.slice(2);
const client = connectRedis({ url: url!, cluster: cluster === '1' });
client.on('error', () => {});
const queue = new RedisStreamQueue({ client, keys: new RedisKeys(prefix), onError: (err) => process.stderr.write(`queue error: ${String(err)}\n`) });
queue.consume(
  stream!,
  async (job) => {
    process.stdout.write(`started ${job.id} ${job.attempts}\n`);
    await new Promise(() => {});
  },
  { consumer: consumer!, pollMs: 100, claimIdleMs: 60_000 },
);
process.stdout.write('ready\n');
