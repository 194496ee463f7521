import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisStreamQueue } from '../../server/queue/redis.js';
import { connectRedis, RedisKeys } from '../../server/redis/client.js';
import { SHARED_REDIS_URL, uniquePrefix } from '../helpers/redis.js';
import { ROOT } from '../helpers/server.js';

function cli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server/cli.ts'), ...args], { cwd: ROOT, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('switchboard queue (dead letters from the command line)', () => {
  const prefix = uniquePrefix('qcli');
  const client = connectRedis({ url: SHARED_REDIS_URL, cluster: false });
  const queue = new RedisStreamQueue({ client, keys: new RedisKeys(prefix) });
  const env = { REDIS_URL: SHARED_REDIS_URL, REDIS_PREFIX: prefix, DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'sb-qcli-')) };

  afterAll(async () => {
    await queue.close();
    const keys = await client.keys(`${prefix}:*`);
    if (keys.length) await client.del(...keys);
    client.disconnect();
  });

  it('lists a dead letter and replays it onto its stream', async () => {
    const id = await queue.enqueue('outbound', { to: 'someone' });
    const dead = new Promise<void>((resolve) => {
      const consumer = queue.consume(
        'outbound',
        async () => {
          throw new Error('provider said no');
        },
        { consumer: 'test', maxAttempts: 2, backoffMs: () => 10, pollMs: 50 },
      );
      const poll = setInterval(async () => {
        if ((await queue.stats('outbound')).dead === 1) {
          clearInterval(poll);
          await consumer.stop();
          resolve();
        }
      }, 50);
    });
    await dead;

    const stats = await cli(['queue', 'stats', 'outbound'], env);
    expect(stats.code).toBe(0);
    expect(JSON.parse(stats.stdout)).toMatchObject({ stream: 'outbound', dead: 1 });

    const listed = await cli(['queue', 'dead', 'outbound'], env);
    expect(listed.code).toBe(0);
    const letter = JSON.parse(listed.stdout.trim());
    expect(letter).toMatchObject({ id, stream: 'outbound', payload: { to: 'someone' }, attempts: 2, error: 'provider said no' });

    const replayed = await cli(['queue', 'replay', 'outbound', id], env);
    expect(replayed.code).toBe(0);
    expect(await queue.stats('outbound')).toMatchObject({ dead: 0, pending: 1 });
    const again = await cli(['queue', 'replay', 'outbound', id], env);
    expect(again.code).toBe(1);
    expect(JSON.parse(again.stderr).error.code).toBe('SB_ERR_NOT_FOUND');
  });

  it('explains that in-process queues cannot be inspected without REDIS_URL', async () => {
    const r = await cli(['queue', 'stats', 'outbound'], { REDIS_URL: '', DATA_DIR: env.DATA_DIR });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stderr).error.code).toBe('SB_ERR_UNAVAILABLE');
  });
});
