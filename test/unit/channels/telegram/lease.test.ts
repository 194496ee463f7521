import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { MemoryLeaseStore, RedisLeaseStore, whileLeader, type LeaseStore } from '../../../../server/channels/lease.js';
import { SHARED_REDIS_URL, uniquePrefix } from '../../../helpers/redis.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const redis = new Redis(SHARED_REDIS_URL, { lazyConnect: false });
afterAll(() => redis.quit());

describe.each([
  ['memory', () => new MemoryLeaseStore()],
  ['redis', () => new RedisLeaseStore(redis, uniquePrefix('lease'))],
] as const)('%s lease store', (_name, make: () => LeaseStore) => {
  it('has one holder; only the holder renews or releases; an expired lease can be taken', async () => {
    const store = make();
    expect(await store.acquire('l', 'a', 200)).toBe(true);
    expect(await store.acquire('l', 'b', 200)).toBe(false);
    expect(await store.renew('l', 'b', 200)).toBe(false);
    expect(await store.renew('l', 'a', 200)).toBe(true);
    await store.release('l', 'b');
    expect(await store.acquire('l', 'b', 200)).toBe(false);
    await sleep(260);
    expect(await store.renew('l', 'a', 200)).toBe(false);
    expect(await store.acquire('l', 'b', 200)).toBe(true);
    await store.release('l', 'b');
    expect(await store.acquire('l', 'a', 200)).toBe(true);
  });

  it('whileLeader runs the work on one owner at a time and hands over when the holder stops', async () => {
    const store = make();
    const running = new Set<string>();
    let overlap = false;
    const runs: string[] = [];
    const participant = (owner: string) => {
      const stop = new AbortController();
      const done = whileLeader(
        store,
        'poll',
        owner,
        async (signal) => {
          if (running.size) overlap = true;
          running.add(owner);
          runs.push(owner);
          await new Promise<void>((r) => signal.addEventListener('abort', () => r(), { once: true }));
          running.delete(owner);
        },
        stop.signal,
        { ttlMs: 300 },
      );
      return { stop: () => (stop.abort(), done) };
    };
    const a = participant('a');
    await sleep(30);
    const b = participant('b');
    await sleep(700);
    expect(runs).toEqual(['a']);
    await a.stop();
    await sleep(400);
    expect(runs).toEqual(['a', 'b']);
    expect(overlap).toBe(false);
    await b.stop();
    expect(running.size).toBe(0);
  });

  it('aborts the work when the lease is taken away', async () => {
    const store = make();
    const stop = new AbortController();
    let aborted = false;
    const done = whileLeader(store, 'x', 'a', (signal) => new Promise<void>((r) => signal.addEventListener('abort', () => ((aborted = true), r()), { once: true })), stop.signal, { ttlMs: 150, retryMs: 10_000 });
    await sleep(20);
    await store.release('x', 'a'); // as if it expired and another node took it
    expect(await store.acquire('x', 'b', 10_000)).toBe(true);
    await sleep(150);
    expect(aborted).toBe(true);
    stop.abort();
    await done;
  });
});
