/** The hub process of the history scenario: start, mint agent tokens, read metrics, clean up. */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { TokenService } from '../../server/auth/tokens.js';
import { spawnTs, type Spawned } from '../lib/proc.js';

export const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface HistoryHub {
  url: string;
  proc: Spawned;
  dataDir: string;
  redisPrefix: string | undefined;
  /** An admin token of each tenant's seeded agent, signed with the key the server uses. */
  agentToken(tenantId: string, agentId: string): Promise<string>;
  /** The server's `sb_history_reads_total` counters. */
  historyReads(): Promise<{ cache: number; database: number }>;
  stop(): Promise<void>;
}

/** Starts one node on `databaseUrl` (the database must be migrated and seeded). */
export async function startHistoryHub(databaseUrl: string, redis: boolean): Promise<HistoryHub> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-bench-history-'));
  const redisPrefix = redis ? `sbbench-history-${crypto.randomBytes(4).toString('hex')}` : undefined;
  const proc = spawnTs('dist/server/main.js', [], {
    DATABASE_URL: databaseUrl,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    DATA_DIR: dataDir,
    ADMIN_PASSWORD: 'bench admin password',
    // The signing key must come from the database (instance_settings), not the environment.
    SECRET_KEY: '',
    REDIS_URL: redis ? REDIS_URL : '',
    ...(redisPrefix ? { REDIS_PREFIX: redisPrefix } : {}),
    // e.g. BENCH_HUB_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the hub under this load.
  }, undefined, (process.env['BENCH_HUB_NODE_ARGS'] ?? '').split(' ').filter(Boolean));
  let port: string;
  try {
    port = (await proc.waitFor(/running at http:\/\/localhost:(\d+)/, 120_000))[1]!;
  } catch (err) {
    await proc.stop();
    throw err;
  }
  const url = `http://127.0.0.1:${port}`;

  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  let secret: string;
  try {
    const row = (await c.query<{ value: string }>(`SELECT value FROM instance_settings WHERE key = 'token_secret'`)).rows[0];
    if (!row) throw new Error('the server did not create instance_settings.token_secret');
    secret = row.value;
  } finally {
    await c.end();
  }
  const tokens = new TokenService({ secret, agentTtlSeconds: 24 * 3600, visitorTtlSeconds: 24 * 3600 });
  const minted = new Map<string, Promise<string>>();

  return {
    url,
    proc,
    dataDir,
    redisPrefix,
    agentToken: (tenantId, agentId) => {
      let t = minted.get(tenantId);
      if (!t) minted.set(tenantId, (t = tokens.signAgent(tenantId, agentId, 'admin')));
      return t;
    },
    historyReads: async () => {
      const text = await (await fetch(`${url}/metrics`)).text();
      const value = (source: string) => {
        const m = new RegExp(`^sb_history_reads_total\\{source="${source}"\\} (\\S+)$`, 'm').exec(text);
        return m ? Number(m[1]) : 0;
      };
      return { cache: value('cache'), database: value('database') };
    },
    stop: async () => {
      await proc.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Deletes every Redis key under `prefix` (the node's cache, streams, presence). Returns how many. */
export async function deleteRedisKeys(prefix: string): Promise<number> {
  const r = new Redis(REDIS_URL, { maxRetriesPerRequest: 2, lazyConnect: true });
  await r.connect();
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) deleted += await r.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
  return deleted;
}
