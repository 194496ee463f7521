import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { api, login } from '../helpers/api.js';
import { ROOT } from '../helpers/server.js';

const started: number[] = [];
// A failed assertion must not leave servers behind: kill every process group this file started.
afterAll(() => {
  for (const pgid of started) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** Runs `npm start` (the README's command, build included) and waits for the banner. */
async function npmStart(dataDir: string, env: Record<string, string> = {}) {
  const childEnv: Record<string, string> = { ...(process.env as Record<string, string>), PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...env };
  for (const k of ['DATABASE_URL', 'ADMIN_PASSWORD', 'ADMIN_EMAIL', 'REDIS_URL']) if (!(k in env)) delete childEnv[k];
  const child = spawn('npm', ['start', '--silent'], { cwd: ROOT, env: childEnv, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child.pid!);
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start printed no banner:\n${out}`)), 90_000);
    child.stdout.on('data', () => {
      const m = /running at (http:\/\/\S+)/.exec(out);
      if (m && out.includes('data-inbox=')) {
        clearTimeout(timer);
        resolve(m[1]!.replace('localhost', '127.0.0.1'));
      }
    });
    void exited.then((code) => reject(new Error(`npm start exited ${code}:\n${out}`)));
  });
  return {
    url,
    output: () => out,
    /** SIGTERM to the server process itself (npm would report a signal, not the server's exit code). */
    stop: async () => {
      const pid = Number(execFileSync('pgrep', ['-g', String(child.pid), '-f', '^[^ ]*node dist/server/main.js']).toString().trim().split('\n')[0]);
      process.kill(pid, 'SIGTERM');
      // npm exits with the server's exit code.
      return exited;
    },
  };
}

describe('npm start on a fresh data directory', () => {
  it('creates the default workspace once, prints login and widget snippet, and keeps them across restarts', { timeout: 180_000 }, async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-fresh-'));
    const first = await npmStart(dataDir);
    const banner = first.output();
    expect(banner).toContain('Admin login:  admin@example.com');
    const password = /Password:\s+(\S+)\s+\(generated/.exec(banner)?.[1];
    expect(password).toBeTruthy();
    const snippet = /<script src="([^"]+)\/widget\.js" data-inbox="([^"]+)" defer><\/script>/.exec(banner);
    expect(snippet).not.toBeNull();
    expect(fs.existsSync(path.join(dataDir, 'switchboard.sqlite'))).toBe(true);

    const token = await login(first.url, 'admin@example.com', password!);
    const inboxes = await api(first.url, token).get('/api/v1/inboxes');
    expect(inboxes.body.items).toHaveLength(1);
    expect(inboxes.body.items[0]).toMatchObject({ channel: 'web', websiteToken: snippet![2] });
    expect(await first.stop()).toBe(0);

    // Second start: same workspace, no new admin, the password is not printed again.
    const second = await npmStart(dataDir);
    expect(second.output()).not.toContain('Password:');
    expect(second.output()).toContain(`data-inbox="${snippet![2]}"`);
    expect((await api(second.url).post('/api/v1/auth/login', { email: 'admin@example.com', password })).status).toBe(200);
    expect(await second.stop()).toBe(0);
  });

  it('takes the admin credentials from ADMIN_EMAIL and ADMIN_PASSWORD', { timeout: 180_000 }, async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-fresh-'));
    const s = await npmStart(dataDir, { ADMIN_EMAIL: 'owner@shop.example', ADMIN_PASSWORD: 'a long enough password' });
    expect(s.output()).toContain('Admin login:  owner@shop.example');
    expect(s.output()).not.toContain('a long enough password');
    expect(await login(s.url, 'owner@shop.example', 'a long enough password')).toBeTruthy();
    expect(await s.stop()).toBe(0);
  });
});
