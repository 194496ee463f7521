import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { RedisClient } from '../../server/redis/client.js';

/** The Redis that CI keeps running; conformance suites use a fresh key prefix on it. */
export const SHARED_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Redis' own counters from `INFO stats`: commands run, and read events handled (about one per client write it read). */
export interface RedisCounters {
  commands: number;
  reads: number;
}

/** Reads the counters over `client`; anything else using that Redis meanwhile counts too (this call's own INFO too). */
export async function redisCounters(client: RedisClient): Promise<RedisCounters> {
  const info = await client.info('stats');
  const field = (name: string) => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)?.[1] ?? NaN);
  return { commands: field('total_commands_processed'), reads: field('total_reads_processed') };
}

/** A key prefix no other test uses. */
export const uniquePrefix = (name = 't') => `sbtest:${name}:${crypto.randomBytes(4).toString('hex')}`;

/** A free TCP port on loopback (closed again, so there is a small race; fine for tests). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.end();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`redis on ${port} did not come up`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** One redis-server process owned by a test: it can be stopped and started again on its port. */
export class TestRedis {
  private child: ChildProcess | undefined;
  readonly dir: string;

  private constructor(
    readonly port: number,
    private readonly extraArgs: string[],
  ) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), `sb-redis-${port}-`));
  }

  /**
   * Starts a server on `port`, or on a free port. A free port can be taken by someone else
   * between the probe and redis-server's bind (and a cluster node also needs port + 10000):
   * then another port is tried, a few times.
   */
  static async start(extraArgs: string[] = [], port?: number | (() => Promise<number>)): Promise<TestRedis> {
    const fixed = typeof port === 'number';
    for (let attempt = 1; ; attempt++) {
      const r = new TestRedis(typeof port === 'number' ? port : await (port ?? freePort)(), extraArgs);
      try {
        await r.startProcess();
        return r;
      } catch (err) {
        await r.stop();
        if (fixed || attempt >= 5) throw err;
      }
    }
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async startProcess(): Promise<void> {
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir, ...this.extraArgs], {
      stdio: 'ignore',
    });
    this.child = child;
    // A server that cannot bind exits at once: say so instead of waiting out the timeout.
    let onExit: (code: number | null) => void = () => {};
    const exited = new Promise<never>((_, reject) => {
      onExit = (code) => reject(new Error(`redis-server on ${this.port} exited (${code}) before accepting connections`));
      child.once('exit', onExit);
    });
    try {
      await Promise.race([waitForPort(this.port), exited]);
    } finally {
      child.off('exit', onExit);
    }
  }

  /** Kills the server (SIGKILL: no goodbye to clients). */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }

  async restart(downMs = 500): Promise<void> {
    await this.kill();
    await new Promise((r) => setTimeout(r, downMs));
    await this.startProcess();
  }

  async stop(): Promise<void> {
    await this.kill();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A 3-master Redis Cluster (no replicas) on free ports, created with `redis-cli --cluster create`. */
export class TestRedisCluster {
  private constructor(readonly nodes: TestRedis[]) {}

  static async start(masters = 3): Promise<TestRedisCluster> {
    const nodes: TestRedis[] = [];
    // A cluster node also listens on port + 10000 (its cluster bus), so the port must leave room.
    const clusterPort = async () => {
      for (;;) {
        const port = await freePort();
        if (port + 10000 <= 65535) return port;
      }
    };
    for (let i = 0; i < masters; i++) {
      nodes.push(await TestRedis.start(['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '2000'], clusterPort));
    }
    const r = spawnSync('redis-cli', ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-yes'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`cluster create failed: ${r.stdout}${r.stderr}`);
    // Wait until every node agrees the cluster is up.
    const deadline = Date.now() + 15_000;
    for (const n of nodes) {
      for (;;) {
        const info = spawnSync('redis-cli', ['-p', String(n.port), 'cluster', 'info'], { encoding: 'utf8' }).stdout;
        if (info.includes('cluster_state:ok')) break;
        if (Date.now() > deadline) throw new Error(`cluster did not become ok: ${info}`);
        await new Promise((res) => setTimeout(res, 100));
      }
    }
    return new TestRedisCluster(nodes);
  }

  /** Seed URLs, comma-separated, as `REDIS_URL` takes them with `REDIS_CLUSTER=true`. */
  get url(): string {
    return this.nodes.map((n) => n.url).join(',');
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.stop()));
  }
}
