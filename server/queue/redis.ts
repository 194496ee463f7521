import { randomUUID } from 'node:crypto';
import { Cluster } from 'ioredis';
import type { RedisClient, RedisKeys } from '../redis/client.js';
import { assertStreamName, resolveConsumeOptions, type Consumer, type ConsumeOptions, type DeadLetter, type Job, type JobQueue, type QueueStats } from './queue.js';
import { RedisStreamConsumer, type StreamKeys } from './redis-consumer.js';
import { withQueueScripts, type QueueScripts } from './scripts.js';

/** A new connection to the same server(s) with the same options. */
const duplicate = (client: RedisClient): RedisClient => (client instanceof Cluster ? client.duplicate() : client.duplicate());

/** A dead letter may be there because its payload was not JSON: then it is shown as the raw text. */
function parseOrRaw(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export interface RedisStreamQueueOptions {
  /** Command connection (standalone or cluster); the caller owns it and closes it after `close()`. */
  client: RedisClient;
  keys: RedisKeys;
  /** Receives every error a consumer loop survives (connection loss, failed acks…). */
  onError?: (err: unknown) => void;
}

/**
 * The hot tier on Redis Streams. Per stream `name`, under the `{q:name}` hash tag (so it works
 * unchanged on Redis Cluster): the stream, a `delayed` ZSET (delayed enqueues and retries in
 * backoff, scored by due time), a `dead` stream of dead letters and a `dead-index` hash
 * (job id → dead entry id, for `replayDead`). Entries are deleted once settled, so the stream
 * holds only waiting and in-flight jobs. Each consumer gets its own blocking connection.
 */
export class RedisStreamQueue implements JobQueue {
  private readonly client: RedisClient & QueueScripts;
  private readonly consumers = new Set<RedisStreamConsumer>();
  private readonly onError: (err: unknown) => void;

  constructor(private readonly opts: RedisStreamQueueOptions) {
    this.client = withQueueScripts(opts.client);
    this.onError = opts.onError ?? (() => {});
  }

  async enqueue<T>(stream: string, payload: T, opts: { delayMs?: number } = {}): Promise<string> {
    const keys = this.keysOf(stream);
    const id = randomUUID();
    const enqueuedAt = String(Date.now());
    const json = JSON.stringify(payload) ?? 'null';
    const delayMs = Math.max(0, Math.ceil(opts.delayMs ?? 0));
    if (delayMs > 0) {
      await this.client.sbqDelay(keys.delayed, delayMs, `${id}|1|${enqueuedAt}|${json}`);
      // This node's consumers learn the due time now; other nodes' find it within their pollMs.
      for (const c of this.consumers) if (c.stream === stream) c.promoteIn(delayMs);
    } else await this.client.xadd(keys.stream, '*', 'j', id, 'a', '1', 't', enqueuedAt, 'p', json);
    return id;
  }

  consume<T>(stream: string, handler: (job: Job<T>) => Promise<void>, opts: ConsumeOptions): Consumer {
    const keys = this.keysOf(stream);
    const resolved = resolveConsumeOptions(opts);
    const consumer = new RedisStreamConsumer({
      stream,
      name: resolved.consumer,
      keys,
      client: this.client,
      blocking: duplicate(this.opts.client),
      handler: handler as (job: Job<never>) => Promise<void>,
      opts: resolved,
      onError: this.onError,
    });
    this.consumers.add(consumer);
    return {
      stop: async () => {
        await consumer.stop();
        this.consumers.delete(consumer);
      },
    };
  }

  async deadLetters<T>(stream: string, limit = 100): Promise<DeadLetter<T>[]> {
    const entries = (await this.client.xrange(this.keysOf(stream).dead, '-', '+', 'COUNT', limit)) as [string, string[]][];
    return entries.map(([, fields]) => {
      const f = new Map<string, string>();
      for (let i = 0; i + 1 < fields.length; i += 2) f.set(fields[i]!, fields[i + 1]!);
      return {
        id: f.get('j') ?? '',
        stream,
        payload: parseOrRaw(f.get('p') ?? 'null') as T,
        attempts: Number(f.get('a')),
        error: f.get('e') ?? '',
        failedAt: Number(f.get('f')),
      };
    });
  }

  async replayDead(stream: string, id: string): Promise<boolean> {
    const keys = this.keysOf(stream);
    return (await this.client.sbqReplay(keys.dead, keys.deadIndex, keys.stream, id)) === 1;
  }

  async stats(stream: string): Promise<QueueStats> {
    const keys = this.keysOf(stream);
    const [pending, delayed, dead] = await Promise.all([this.client.xlen(keys.stream), this.client.zcard(keys.delayed), this.client.xlen(keys.dead)]);
    return { pending, delayed, dead };
  }

  /** Stops every consumer (waiting for in-flight handlers). The command connection stays open. */
  async close(): Promise<void> {
    await Promise.all([...this.consumers].map((c) => c.stop()));
    this.consumers.clear();
  }

  private keysOf(stream: string): StreamKeys {
    assertStreamName(stream);
    const k = this.opts.keys;
    return { stream: k.stream(stream), delayed: k.stream(stream, 'delayed'), dead: k.stream(stream, 'dead'), deadIndex: k.stream(stream, 'dead-index') };
  }
}
