import { afterEach, describe, expect, it } from 'vitest';
import { MemoryQueue } from '../../../../server/queue/memory.js';
import type { Consumer } from '../../../../server/queue/queue.js';
import { until } from '../../../helpers/wait.js';

describe('MemoryQueue', () => {
  const queue = new MemoryQueue();
  const consumers: Consumer[] = [];
  afterEach(async () => {
    await Promise.all(consumers.splice(0).map((c) => c.stop()));
  });

  it('dead-letters a claimed job that is past its last attempt, and the claimer goes on with the next job', async () => {
    const opts = { pollMs: 20, claimIdleMs: 100, backoffMs: () => 10, maxAttempts: 1 };
    let hung = false;
    let release: () => void = () => {};
    // A consumer whose handler does not settle (until the end): its job becomes claimable after claimIdleMs.
    const hungConsumer = queue.consume('stuck', async () => {
      hung = true;
      await new Promise<void>((r) => (release = r));
    }, { consumer: 'hung', ...opts });
    await queue.enqueue('stuck', { n: 1 });
    await until(() => hung, 'the first delivery');

    // The claimer runs one job at a time: had the dead-lettered delivery kept its slot, job 2 would never run.
    const handled: number[] = [];
    consumers.push(queue.consume<{ n: number }>('stuck', async (job) => void handled.push(job.payload.n), { consumer: 'claimer', ...opts, concurrency: 1 }));
    await until(async () => (await queue.stats('stuck')).dead === 1, 'the claimed job to be dead-lettered');
    const [dead] = await queue.deadLetters('stuck');
    expect(dead).toMatchObject({ payload: { n: 1 }, attempts: 1, error: 'handler did not settle within claimIdleMs on its last attempt' });
    await queue.enqueue('stuck', { n: 2 });
    await until(() => handled.length === 1, 'the next job');
    expect(handled).toEqual([2]);
    release();
    await hungConsumer.stop();
    expect(await queue.stats('stuck')).toEqual({ pending: 0, delayed: 0, dead: 1 });
  });
});
