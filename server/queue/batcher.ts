/**
 * Turns many small jobs into few batches, so a handler that pays per round trip (a database
 * write, a Redis call) pays it once per batch instead of once per item. A batch starts when
 * `maxBatch` items wait or the oldest has waited `maxWaitMs`; items added while a batch runs go
 * in the next one. One batch runs at a time, in arrival order.
 *
 * When a batch fails, its items are retried one by one, so one bad item fails alone and its
 * neighbours still settle.
 */
export class Batcher<T> {
  private pending: { item: T; at: number; resolve(): void; reject(err: unknown): void }[] = [];
  private running = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly run: (items: T[]) => Promise<void>,
    private readonly opts: { maxBatch: number; maxWaitMs: number },
  ) {
    if (opts.maxBatch < 1) throw new Error('maxBatch must be at least 1');
  }

  /** Resolves once the item's batch (or, after a batch failure, the item alone) succeeded. */
  add(item: T): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ item, at: performance.now(), resolve, reject });
      this.kick();
    });
  }

  private kick(): void {
    if (this.running || !this.pending.length) return;
    const wait = this.pending.length >= this.opts.maxBatch ? 0 : this.pending[0]!.at + this.opts.maxWaitMs - performance.now();
    if (wait > 0) {
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        this.kick();
      }, wait);
      return;
    }
    clearTimeout(this.timer);
    this.timer = undefined;
    this.running = true;
    // After the current tick: items added in the same turn of the event loop join the batch.
    setImmediate(() => void this.flush());
  }

  private async flush(): Promise<void> {
    const batch = this.pending.splice(0, this.opts.maxBatch);
    try {
      await this.run(batch.map((b) => b.item));
      for (const b of batch) b.resolve();
    } catch (err) {
      if (batch.length === 1) batch[0]!.reject(err);
      else
        for (const b of batch) {
          await this.run([b.item]).then(b.resolve, b.reject);
        }
    } finally {
      this.running = false;
      this.kick();
    }
  }
}
