import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { MemoryQueue } from '../../server/queue/memory.js';
import type { Job, JobQueue } from '../../server/queue/queue.js';
import { RedisStreamQueue } from '../../server/queue/redis.js';
import { connectRedis, RedisKeys, type RedisClient } from '../../server/redis/client.js';
import { SHARED_REDIS_URL, TestRedis, TestRedisCluster, uniquePrefix } from '../helpers/redis.js';
import { sleep, until } from '../helpers/wait.js';

/** Small timings so the suite stays fast. */
const fast = { pollMs: 100, claimIdleMs: 400, backoffMs: () => 30 };

interface Opened {
  queue: JobQueue;
  /** Where a child process can reach the same queue (Redis backends only). */
  redis?: { url: string; cluster: boolean; prefix: string };
  /** The queue's command connection (Redis backends only), to watch the calls it makes. */
  client?: RedisClient;
  close(): Promise<void>;
}

interface Backend {
  name: string;
  open(): Promise<Opened>;
}

/** Streams the current test used, so Redis keys can be deleted afterwards (no KEYS/SCAN on a cluster). */
let streams: string[] = [];
const newStream = () => {
  const s = `jobs-${crypto.randomBytes(3).toString('hex')}`;
  streams.push(s);
  return s;
};

function redisBackend(url: () => string, cluster: boolean) {
  return async (): Promise<Opened> => {
    const prefix = uniquePrefix('queue');
    const keys = new RedisKeys(prefix);
    const client: RedisClient = connectRedis({ url: url(), cluster });
    client.on('error', () => {});
    const queue = new RedisStreamQueue({ client, keys });
    return {
      queue,
      redis: { url: url(), cluster, prefix },
      client,
      close: async () => {
        await queue.close();
        for (const s of streams) await client.del(...['stream', 'delayed', 'dead', 'dead-index'].map((p) => keys.stream(s, p)));
        await client.quit();
      },
    };
  };
}

/**
 * Runs test/helpers/queue-worker.ts as consumer "doomed" and SIGKILLs it as soon as its handler
 * has started a job, so the entry stays pending on a consumer that is gone.
 */
function workerKilledMidJob(redis: NonNullable<Opened['redis']>, stream: string) {
  const args = ['--import', 'tsx', 'test/helpers/queue-worker.ts', redis.url, redis.cluster ? '1' : '0', redis.prefix, stream, 'doomed'];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const started = new Promise<{ id: string; attempts: number }>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /started (\S+) (\d+)/.exec(out);
      if (!m) return;
      child.once('exit', () => resolve({ id: m[1]!, attempts: Number(m[2]) }));
      child.kill('SIGKILL');
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => signal !== 'SIGKILL' && reject(new Error(`worker exited (${code}) before starting the job: ${out}`)));
  });
  return { started, kill: () => void child.kill('SIGKILL') };
}

let cluster: TestRedisCluster;
const backends: Backend[] = [
  {
    name: 'in-process',
    open: async () => {
      const queue = new MemoryQueue();
      return { queue, close: () => queue.close() };
    },
  },
  { name: 'standalone Redis', open: redisBackend(() => SHARED_REDIS_URL, false) },
  { name: 'Redis Cluster', open: redisBackend(() => cluster.url, true) },
];

beforeAll(async () => {
  cluster = await TestRedisCluster.start();
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
});

/** Opens `backend` when a test asks, and closes it (deleting the test's streams) after each test. */
function openEachTest(backend: Backend): () => Promise<Opened> {
  let opened: Opened | undefined;
  afterEach(async () => {
    await opened?.close();
    opened = undefined;
    streams = [];
  });
  return async () => (opened = await backend.open());
}

describe.each(backends)('queue conformance: $name', (backend) => {
  const open = openEachTest(backend);

  it('delivers each job once when the handler succeeds (many jobs, concurrency > 1)', async () => {
    const { queue } = await open();
    const stream = newStream();
    const ids = new Set<string>();
    for (let i = 0; i < 100; i++) ids.add(await queue.enqueue(stream, { n: i }));
    const seen = new Map<string, number>();
    const payloads: number[] = [];
    let running = 0;
    let maxRunning = 0;
    const consumer = queue.consume<{ n: number }>(
      stream,
      async (job) => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        seen.set(job.id, (seen.get(job.id) ?? 0) + 1);
        payloads.push(job.payload.n);
        expect(job.attempts).toBe(1);
        expect(job.stream).toBe(stream);
        await sleep(2);
        running--;
      },
      { consumer: 'c1', concurrency: 8, ...fast },
    );
    for (let i = 100; i < 200; i++) ids.add(await queue.enqueue(stream, { n: i }));
    await until(() => seen.size === 200, '200 jobs');
    await sleep(300);
    await consumer.stop();
    expect([...seen.keys()].sort()).toEqual([...ids].sort());
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    expect(payloads.sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(maxRunning).toBeGreaterThan(1);
    expect(await queue.stats(stream)).toEqual({ pending: 0, delayed: 0, dead: 0 });
  });

  it('retries a failing job with backoff and succeeds on attempt 3', async () => {
    const { queue } = await open();
    const stream = newStream();
    const id = await queue.enqueue(stream, { to: 'x' });
    const attempts: { n: number; at: number }[] = [];
    let done: Job | undefined;
    const consumer = queue.consume(
      stream,
      async (job) => {
        attempts.push({ n: job.attempts, at: Date.now() });
        if (job.attempts < 3) throw new Error(`flaky ${job.attempts}`);
        done = job;
      },
      { consumer: 'c1', ...fast, backoffMs: (n) => 80 * n },
    );
    await until(() => done !== undefined, 'success on attempt 3');
    await consumer.stop();
    expect(attempts.map((a) => a.n)).toEqual([1, 2, 3]);
    expect(done).toMatchObject({ id, stream, payload: { to: 'x' }, attempts: 3 });
    // Backoff: ~80 ms before attempt 2, ~160 ms before attempt 3.
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(70);
    expect(attempts[2]!.at - attempts[1]!.at).toBeGreaterThanOrEqual(150);
    expect(await queue.stats(stream)).toEqual({ pending: 0, delayed: 0, dead: 0 });
  });

  it('dead-letters a job after maxAttempts with its error; replayDead puts it back', async () => {
    const { queue } = await open();
    const stream = newStream();
    const id = await queue.enqueue(stream, { to: 'y' });
    let calls = 0;
    const failing = queue.consume(
      stream,
      async (job) => {
        calls++;
        throw new Error(`remote said no (attempt ${job.attempts})`);
      },
      { consumer: 'c1', maxAttempts: 3, ...fast },
    );
    await until(async () => (await queue.stats(stream)).dead === 1, 'a dead letter');
    await sleep(200);
    await failing.stop();
    expect(calls).toBe(3);
    expect(await queue.stats(stream)).toEqual({ pending: 0, delayed: 0, dead: 1 });
    const dead = await queue.deadLetters<{ to: string }>(stream);
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ id, stream, payload: { to: 'y' }, attempts: 3, error: 'remote said no (attempt 3)' });
    expect(dead[0]!.failedAt).toBeGreaterThan(Date.now() - 10_000);

    expect(await queue.replayDead(stream, 'no-such-job')).toBe(false);
    expect(await queue.replayDead(stream, id)).toBe(true);
    expect(await queue.replayDead(stream, id)).toBe(false);
    expect(await queue.stats(stream)).toEqual({ pending: 1, delayed: 0, dead: 0 });
    const finished: Job[] = [];
    const fixed = queue.consume(stream, async (job) => void finished.push(job), { consumer: 'c2', ...fast });
    await until(() => finished.length === 1, 'the replayed job');
    await fixed.stop();
    expect(finished[0]).toMatchObject({ id, payload: { to: 'y' }, attempts: 1 });
    expect(await queue.stats(stream)).toEqual({ pending: 0, delayed: 0, dead: 0 });
    expect(await queue.deadLetters(stream)).toEqual([]);
  });

  it('does not deliver a delayed job before its time', async () => {
    const { queue } = await open();
    const stream = newStream();
    const got: { id: string; at: number }[] = [];
    const consumer = queue.consume(stream, async (job) => void got.push({ id: job.id, at: Date.now() }), { consumer: 'c1', ...fast });
    const t0 = Date.now();
    const late = await queue.enqueue(stream, 'later', { delayMs: 700 });
    const now = await queue.enqueue(stream, 'now');
    expect((await queue.stats(stream)).delayed).toBe(1);
    await until(() => got.length === 1, 'the immediate job');
    expect(got[0]!.id).toBe(now);
    await until(() => got.length === 2, 'the delayed job');
    await consumer.stop();
    expect(got[1]!.id).toBe(late);
    expect(got[1]!.at - t0).toBeGreaterThanOrEqual(690);
    expect(got[1]!.at - t0).toBeLessThan(2000);
    expect(await queue.stats(stream)).toEqual({ pending: 0, delayed: 0, dead: 0 });
  });

  it('delivers a delayed job when it falls due, not at the next poll', async () => {
    const { queue } = await open();
    const stream = newStream();
    const got: { id: string; at: number }[] = [];
    // A poll far longer than the delay: the consumer must learn the due time from the enqueue.
    const consumer = queue.consume(stream, async (job) => void got.push({ id: job.id, at: Date.now() }), { ...fast, consumer: 'c1', pollMs: 10_000 });
    await sleep(50); // the consumer is blocked in its read
    const t0 = Date.now();
    const id = await queue.enqueue(stream, 'soon', { delayMs: 200 });
    await until(() => got.length === 1, 'the delayed job', 3000);
    await consumer.stop();
    expect(got[0]!.id).toBe(id);
    expect(got[0]!.at - t0).toBeGreaterThanOrEqual(190);
    expect(got[0]!.at - t0).toBeLessThan(1500);
  });

  it('lets two consumers of one group share the work without double delivery', async () => {
    const { queue } = await open();
    const stream = newStream();
    const byConsumer = { a: [] as string[], b: [] as string[] };
    const handler = (name: 'a' | 'b') => async (job: Job) => {
      byConsumer[name].push(job.id);
      await sleep(5);
    };
    const a = queue.consume(stream, handler('a'), { consumer: 'a', concurrency: 2, ...fast });
    const b = queue.consume(stream, handler('b'), { consumer: 'b', concurrency: 2, ...fast });
    const ids: string[] = [];
    for (let i = 0; i < 100; i++) ids.push(await queue.enqueue(stream, i));
    await until(() => byConsumer.a.length + byConsumer.b.length >= 100, 'all jobs');
    await sleep(300);
    await Promise.all([a.stop(), b.stop()]);
    const all = [...byConsumer.a, ...byConsumer.b];
    expect(all).toHaveLength(100);
    expect(new Set(all).size).toBe(100);
    expect(byConsumer.a.length).toBeGreaterThan(0);
    expect(byConsumer.b.length).toBeGreaterThan(0);
    expect(await queue.stats(stream)).toEqual({ pending: 0, delayed: 0, dead: 0 });
  });

  it('claims a job whose consumer died mid-job and finishes it, counting the attempt', async () => {
    const opened = await open();
    const { queue } = opened;
    const stream = newStream();
    let release: () => void = () => {};
    let abandoned: { stop(): Promise<void> } | undefined;
    let worker: ReturnType<typeof workerKilledMidJob> | undefined;
    const started = opened.redis
      ? (worker = workerKilledMidJob(opened.redis, stream)).started
      : new Promise<{ id: string; attempts: number }>((resolve) => {
          // In-process there is no process to kill: a consumer whose handler never settles.
          abandoned = queue.consume(
            stream,
            async (job) => {
              resolve({ id: job.id, attempts: job.attempts });
              await new Promise<void>((r) => (release = r));
            },
            { consumer: 'doomed', ...fast },
          );
        });
    onTestFinished(() => worker?.kill());
    const id = await queue.enqueue(stream, { to: 'z' });
    const first = await started;
    expect(first).toEqual({ id, attempts: 1 });
    const diedAt = Date.now();

    const finished: Job[] = [];
    const rescuer = queue.consume(stream, async (job) => void finished.push(job), { consumer: 'rescuer', ...fast });
    await until(() => finished.length === 1, 'the claimed job', 10_000);
    expect(finished[0]).toMatchObject({ id, payload: { to: 'z' }, attempts: 2 });
    expect(Date.now() - diedAt).toBeLessThan(5000);
    // The abandoned handler finally returns: its late ack must change nothing.
    release();
    await abandoned?.stop();
    await sleep(200);
    await rescuer.stop();
    expect(finished).toHaveLength(1);
    expect(await queue.stats(stream)).toEqual({ pending: 0, delayed: 0, dead: 0 });
  });
});

describe('Redis queue across a Redis restart', () => {
  it('keeps consuming: jobs enqueued after the restart are processed', { timeout: 30_000 }, async () => {
    const redis = await TestRedis.start();
    const client = connectRedis({ url: redis.url, cluster: false });
    client.on('error', () => {});
    const errors: string[] = [];
    const queue = new RedisStreamQueue({ client, keys: new RedisKeys(uniquePrefix('queue')), onError: (err) => errors.push(String(err)) });
    const got: unknown[] = [];
    const consumer = queue.consume('restart', async (job) => void got.push(job.payload), { consumer: 'c1', ...fast });
    try {
      await queue.enqueue('restart', 'before');
      await until(() => got.length === 1, 'the job before the restart');

      await redis.restart(300);
      // A producer retries a failed enqueue; the consumer has to recover on its own.
      await until(
        async () => {
          try {
            await queue.enqueue('restart', 'after');
            return true;
          } catch {
            return false;
          }
        },
        'an enqueue after the restart',
        10_000,
      );
      await until(() => got.length === 2, 'the job after the restart', 10_000);
      expect(got).toEqual(['before', 'after']);
      // The server came back empty: the loop had to recreate its consumer group.
      expect(errors.some((e) => e.includes('NOGROUP'))).toBe(true);
    } finally {
      await consumer.stop();
      await queue.close();
      client.disconnect();
      await redis.stop();
    }
  });
});

// Only the Redis queues have other nodes: there, the consumer must not rely on hearing of a delayed job.
describe.each(backends.filter((b) => b.name !== 'in-process'))('queue across nodes: $name', (backend) => {
  const open = openEachTest(backend);

  it('promotes a delayed job another node enqueued within pollMs, also while busy with a steady flow', async () => {
    const { queue, redis } = await open();
    // The "other node": its own client and queue object on the same keys.
    const otherClient = connectRedis({ url: redis!.url, cluster: redis!.cluster });
    otherClient.on('error', () => {});
    const other = new RedisStreamQueue({ client: otherClient, keys: new RedisKeys(redis!.prefix) });
    onTestFinished(() => otherClient.quit().then(() => undefined));
    const stream = newStream();
    const got: string[] = [];
    const consumer = queue.consume(stream, async (job) => void got.push(String(job.payload)), { ...fast, consumer: 'c1', pollMs: 300 });
    let flowing = true;
    const flow = (async () => {
      while (flowing) {
        await queue.enqueue(stream, 'tick');
        await sleep(5);
      }
    })();
    const t0 = Date.now();
    await other.enqueue(stream, 'delayed', { delayMs: 100 });
    await until(() => got.includes('delayed'), 'the delayed job from the other node', 3000);
    const took = Date.now() - t0;
    flowing = false;
    await flow;
    await consumer.stop();
    expect(took).toBeGreaterThanOrEqual(95);
    expect(took).toBeLessThan(100 + 300 + 400); // due time + pollMs + slack
  });
});

describe.each(backends.filter((b) => b.name !== 'in-process'))('queue acks: $name', (backend) => {
  const open = openEachTest(backend);

  it('acks the jobs that finish in one turn with one script call, and deletes every one from the stream', async () => {
    const { queue, client, redis } = await open();
    // Count the ack calls made on the queue's own connection. The client's auto-pipelining
    // calls the same method again on its pipeline (`this` is then the pipeline): not counted.
    const scripts = client as unknown as { sbqAck(this: unknown, ...args: string[]): Promise<number> };
    const realAck = scripts.sbqAck;
    const ackCalls: number[] = [];
    scripts.sbqAck = function (this: unknown, ...args: string[]) {
      if (this === client) ackCalls.push(args.length - 2);
      return realAck.apply(this, args);
    };
    const stream = newStream();
    const jobs = 20;
    for (let i = 0; i < jobs; i++) await queue.enqueue(stream, i);
    // Every handler waits for one gate, so all of them finish in the same turn.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started = 0;
    const consumer = queue.consume(stream, async () => {
      started++;
      await gate;
    }, { ...fast, consumer: 'c1', concurrency: jobs });
    await until(() => started === jobs, 'every job started', 3000);
    release();
    await until(async () => (await queue.stats(stream)).pending === 0, 'every job acked', 3000);
    await consumer.stop();
    expect(ackCalls.reduce((a, b) => a + b, 0)).toBe(jobs);
    expect(ackCalls.length).toBeLessThan(jobs / 2);
    expect(await client!.xlen(new RedisKeys(redis!.prefix).stream(stream, 'stream'))).toBe(0);
  });

  it('acks many entries in one call, skipping one that was settled already', async () => {
    const { queue, client, redis } = await open();
    const stream = newStream();
    const key = new RedisKeys(redis!.prefix).stream(stream, 'stream');
    for (let i = 0; i < 3; i++) await queue.enqueue(stream, i);
    await client!.xgroup('CREATE', key, 'g', '0');
    const read = (await client!.xreadgroup('GROUP', 'g', 'c', 'COUNT', 10, 'STREAMS', key, '>')) as [string, [string, string[]][]][];
    const ids = read[0]![1].map(([id]) => id);
    expect(ids).toHaveLength(3);
    const scripts = client as unknown as { sbqAck(stream: string, group: string, ...ids: string[]): Promise<number> };
    expect(await scripts.sbqAck(key, 'g', ids[0]!)).toBe(1);
    expect(await scripts.sbqAck(key, 'g', ...ids)).toBe(2);
    expect(await client!.xlen(key)).toBe(0);
  });
});
