import { describe, expect, it } from 'vitest';
import { Batcher } from '../../../../server/queue/batcher.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A handler that records its batches and can be told which items fail. */
function recorder(opts: { failOn?: (item: number) => boolean; slowMs?: number } = {}) {
  const batches: number[][] = [];
  let running = 0;
  let overlapped = false;
  const run = async (items: number[]) => {
    batches.push([...items]);
    running++;
    if (running > 1) overlapped = true;
    await sleep(opts.slowMs ?? 1);
    running--;
    if (opts.failOn && items.some(opts.failOn)) throw new Error(`bad item in [${items.join(',')}]`);
  };
  return { batches, run, overlapped: () => overlapped };
}

describe('Batcher', () => {
  it('puts items added in the same tick into one batch, in order', async () => {
    const r = recorder();
    const b = new Batcher(r.run, { maxBatch: 100, maxWaitMs: 0 });
    await Promise.all([1, 2, 3, 4, 5].map((i) => b.add(i)));
    expect(r.batches).toEqual([[1, 2, 3, 4, 5]]);
  });

  it('caps a batch at maxBatch and runs one batch at a time', async () => {
    const r = recorder({ slowMs: 5 });
    const b = new Batcher(r.run, { maxBatch: 3, maxWaitMs: 0 });
    await Promise.all(Array.from({ length: 8 }, (_, i) => b.add(i)));
    expect(r.batches).toEqual([
      [0, 1, 2],
      [3, 4, 5],
      [6, 7],
    ]);
    expect(r.overlapped()).toBe(false);
  });

  it('gathers items for up to maxWaitMs before starting a batch', async () => {
    const r = recorder();
    const b = new Batcher(r.run, { maxBatch: 100, maxWaitMs: 40 });
    const first = b.add(1);
    await sleep(10);
    const second = b.add(2);
    await Promise.all([first, second]);
    expect(r.batches).toEqual([[1, 2]]);
  });

  it('starts at once when maxBatch items wait, without waiting out maxWaitMs', async () => {
    const r = recorder();
    const b = new Batcher(r.run, { maxBatch: 2, maxWaitMs: 10_000 });
    const started = performance.now();
    await Promise.all([b.add(1), b.add(2)]);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(r.batches).toEqual([[1, 2]]);
  });

  it('items added while a batch runs go together in the next one', async () => {
    const r = recorder({ slowMs: 20 });
    const b = new Batcher(r.run, { maxBatch: 100, maxWaitMs: 0 });
    const first = b.add(1);
    await sleep(5); // the first batch is running now
    await Promise.all([first, b.add(2), b.add(3), b.add(4)]);
    expect(r.batches).toEqual([[1], [2, 3, 4]]);
  });

  it('after a failed batch retries items one by one, so only the bad item fails', async () => {
    const r = recorder({ failOn: (i) => i === 3 });
    const b = new Batcher(r.run, { maxBatch: 100, maxWaitMs: 0 });
    const results = await Promise.allSettled([1, 2, 3, 4].map((i) => b.add(i)));
    expect(results.map((x) => x.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect((results[2] as PromiseRejectedResult).reason.message).toBe('bad item in [3]');
    expect(r.batches).toEqual([[1, 2, 3, 4], [1], [2], [3], [4]]);
    // and it keeps serving afterwards
    await b.add(5);
    expect(r.batches.at(-1)).toEqual([5]);
  });

  it('refuses a maxBatch below 1', () => {
    expect(() => new Batcher(async () => {}, { maxBatch: 0, maxWaitMs: 0 })).toThrow(/maxBatch/);
  });
});
