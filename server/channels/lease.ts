import type { RedisClient } from '../redis/client.js';

/**
 * A named, expiring lock with one holder across all nodes: the node holding
 * `telegram:poll:<inboxId>` is the only one that polls that bot.
 */
export interface LeaseStore {
  /** Takes the lease if it is free or expired; true when `owner` holds it now. */
  acquire(name: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Extends the lease if `owner` still holds it; false when it was lost. */
  renew(name: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Gives the lease up if `owner` holds it. */
  release(name: string, owner: string): Promise<void>;
}

/** In-process leases (one node, no Redis): always correct within the process. */
export class MemoryLeaseStore implements LeaseStore {
  private readonly held = new Map<string, { owner: string; until: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  async acquire(name: string, owner: string, ttlMs: number): Promise<boolean> {
    const cur = this.held.get(name);
    if (cur && cur.owner !== owner && cur.until > this.now()) return false;
    this.held.set(name, { owner, until: this.now() + ttlMs });
    return true;
  }

  async renew(name: string, owner: string, ttlMs: number): Promise<boolean> {
    const cur = this.held.get(name);
    if (!cur || cur.owner !== owner || cur.until <= this.now()) return false;
    cur.until = this.now() + ttlMs;
    return true;
  }

  async release(name: string, owner: string): Promise<void> {
    if (this.held.get(name)?.owner === owner) this.held.delete(name);
  }
}

const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/** Leases in Redis: `SET NX PX` to take, compare-and-extend / compare-and-delete scripts to keep and give up. */
export class RedisLeaseStore implements LeaseStore {
  constructor(
    private readonly client: RedisClient,
    private readonly keyPrefix: string,
  ) {}

  private key(name: string): string {
    // One key per lease; the hash tag keeps it on one slot of a Redis Cluster.
    return `${this.keyPrefix}:{lease:${name}}`;
  }

  async acquire(name: string, owner: string, ttlMs: number): Promise<boolean> {
    const key = this.key(name);
    if ((await this.client.set(key, owner, 'PX', ttlMs, 'NX')) === 'OK') return true;
    // Re-acquiring a lease we already hold counts as a renewal.
    return this.renew(name, owner, ttlMs);
  }

  async renew(name: string, owner: string, ttlMs: number): Promise<boolean> {
    return Number(await this.client.eval(RENEW, 1, this.key(name), owner, String(ttlMs))) === 1;
  }

  async release(name: string, owner: string): Promise<void> {
    await this.client.eval(RELEASE, 1, this.key(name), owner);
  }
}

export interface LeaderOptions {
  /** Lifetime of the lease; a dead holder is replaced after at most this long. */
  ttlMs: number;
  /** How often a non-holder tries to take the lease. Default ttlMs / 3. */
  retryMs?: number;
  onError?: (err: unknown) => void;
  onChange?: (leader: boolean) => void;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * Runs `work` only while `owner` holds the lease `name`: it renews every ttl/3 and aborts the
 * work's signal as soon as a renewal says the lease is gone, or when renewals have failed for
 * a whole ttl (the lease must be presumed taken by then). When the work ends it gives the
 * lease up, and it competes again until `signal` aborts.
 */
export async function whileLeader(
  store: LeaseStore,
  name: string,
  owner: string,
  work: (signal: AbortSignal) => Promise<void>,
  signal: AbortSignal,
  opts: LeaderOptions,
): Promise<void> {
  const { ttlMs } = opts;
  const retryMs = opts.retryMs ?? Math.max(50, Math.floor(ttlMs / 3));
  const onError = opts.onError ?? (() => {});
  while (!signal.aborted) {
    let held = false;
    try {
      held = await store.acquire(name, owner, ttlMs);
    } catch (err) {
      onError(err);
    }
    if (!held) {
      await sleep(retryMs, signal);
      continue;
    }
    opts.onChange?.(true);
    const lost = new AbortController();
    const stopWork = () => lost.abort();
    signal.addEventListener('abort', stopWork, { once: true });
    let confirmedAt = Date.now();
    const timer = setInterval(() => {
      store.renew(name, owner, ttlMs).then(
        (ok) => {
          if (ok) confirmedAt = Date.now();
          else lost.abort();
        },
        (err) => {
          onError(err);
          if (Date.now() - confirmedAt >= ttlMs) lost.abort();
        },
      );
    }, Math.max(20, Math.floor(ttlMs / 3)));
    try {
      await work(lost.signal);
    } catch (err) {
      onError(err);
    } finally {
      clearInterval(timer);
      signal.removeEventListener('abort', stopWork);
      opts.onChange?.(false);
    }
    await store.release(name, owner).catch(onError);
    // Work that ended on its own (not a stop) is started again after a pause.
    if (!signal.aborted) await sleep(retryMs, signal);
  }
}
