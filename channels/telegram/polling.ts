import type { Api } from 'grammy';
import type { Update } from 'grammy/types';

export interface PollOptions {
  /** Long-poll `timeout` of each `getUpdates`, in seconds (keep it under the lease's lifetime). */
  timeoutSeconds: number;
  signal: AbortSignal;
  /** Stores one update durably; a throw leaves the offset where it was, so the update comes again. */
  onUpdate(update: Update): Promise<void>;
  onError(err: unknown): void;
  /** Wait after a failed `getUpdates` or store, growing to `maxBackoffMs`. Default 500. */
  backoffMs?: number;
  maxBackoffMs?: number;
}

// grammY types its signal with the abort-controller polyfill; Node's AbortSignal is what it gets at run time.
const UPDATE_TYPES = ['message', 'edited_message'] as const;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * Long polling driven by hand rather than by grammY's `bot.start()`, so that it runs only
 * while this node holds the inbox's lease and stops the moment it is lost. An update is
 * confirmed to Telegram (the next `offset`) only after it was stored, so a crash or a lost
 * lease hands unconfirmed updates to the next poller; the store's dedup key makes the
 * repeat a no-op.
 */
export async function pollUpdates(api: Api, opts: PollOptions): Promise<void> {
  const base = opts.backoffMs ?? 500;
  const maxBackoff = opts.maxBackoffMs ?? 10_000;
  let offset: number | undefined;
  let failures = 0;
  while (!opts.signal.aborted) {
    try {
      const updates = await api.getUpdates({ ...(offset === undefined ? {} : { offset }), timeout: opts.timeoutSeconds, allowed_updates: [...UPDATE_TYPES] }, opts.signal as Parameters<Api['getUpdates']>[1]);
      for (const update of updates) {
        if (opts.signal.aborted) return;
        await opts.onUpdate(update);
        offset = update.update_id + 1;
      }
      failures = 0;
    } catch (err) {
      if (opts.signal.aborted) return;
      opts.onError(err);
      failures++;
      await sleep(Math.min(maxBackoff, base * 2 ** Math.min(failures - 1, 10)), opts.signal);
    }
  }
}
