import { createTestDatabase } from '../test/helpers/pg.js';
import { freePort } from '../test/helpers/redis.js';
import { connectRedis } from '../server/redis/client.js';
import { hubStorage, seedPairs, startHub, type HubNode } from './lib/hub.js';
import { runLoadgen, spawnTs, type Spawned } from './lib/proc.js';
import type { Pinning } from './lib/machine.js';
import { cpuSnapshot, type CpuSnapshot } from './history/cpu.js';
import { redisCounters, redisPerUnit } from './lib/redis-stats.js';

/** What the load generator reports for one relay step (see bench/loadgen/types.ts). */
export interface RelayStep {
  targetRate: number;
  achievedRate: number;
  sent: number;
  received: number;
  lost: number;
  duplicated: number;
  e2e: { p50: number; p90: number; p99: number; max: number };
  ack: { p50: number; p90: number; p99: number; max: number };
  errors?: Record<string, number>;
  /** Load generator CPU (user+system) per message sent, measured window and warm-up together. */
  loadgenCpuUsPerMessage?: number;
  /** Server CPU (user+system, all hub nodes) per message sent, from the first send to the end of the drain. */
  serverCpuUsPerMessage?: number;
  /** PostgreSQL backends' CPU per message sent, over the whole step (connects and warm-up included). */
  databaseCpuUsPerMessage?: number;
  /**
   * Two-node target: Redis commands and Redis read events (about one per client write that
   * reached it) per message sent, over the whole step like the PostgreSQL CPU. Counted from
   * the server's INFO, so anything else using that Redis meanwhile counts too.
   */
  redisPerMessage?: { commands: number; reads: number };
  /** Every message sent, warm-up included. */
  sentAll?: number;
  /** When the step failed once and was run again: the first attempt (the step's figures are the second). */
  firstAttempt?: { e2e: RelayStep['e2e']; lost: number; achievedRate: number };
}

export interface RelayTargetResult {
  target: string;
  steps: RelayStep[];
  /** Highest offered rate whose p99 end-to-end latency stayed within the limit with nothing lost. */
  maxPassingRate: number;
  note?: string;
}

export interface RelayOptions {
  conversations: number;
  rates: number[];
  stepMs: number;
  warmupMs: number;
  drainMs: number;
  p99LimitMs: number;
  bindAddresses: string[];
  pin: Pinning;
  log(line: string): void;
  /** Extra node flags for the server processes (e.g. `--cpu-prof`). */
  serverNodeArgs?: string[];
  /** Extra node flags for the load generator. */
  loadgenNodeArgs?: string[];
  /** Keep stepping after a failed step (probes). */
  continueOnFail?: boolean;
  /** Run a failed step once more before the ladder stops (default true; the quick mode skips it to stay under 3 minutes). */
  retryFailedStep?: boolean;
}

interface Target {
  name: string;
  /** Starts the servers and returns the visitor/agent URL of every pair. */
  setup(o: RelayOptions): Promise<{
    protocol: 'hub' | 'ws' | 'socketio';
    pairs: { visitor: string; agent: string }[];
    pids: number[];
    databaseUrl?: string | undefined;
    redisUrl?: string | undefined;
    stop(): Promise<void>;
  }>;
}

/** Removes the warm-tier and presence keys a bench run left in the shared Redis. */
async function deleteRedisPrefix(url: string, prefix: string): Promise<void> {
  const redis = connectRedis({ url, cluster: false });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

const wsUrl = (node: HubNode, token: string) => `${node.wsUrl}?token=${encodeURIComponent(token)}`;

function hubTarget(name: string, backend: 'sqlite' | 'postgres' | 'postgres+redis'): Target {
  return {
    name,
    setup: async (o) => {
      const pg = backend === 'sqlite' ? undefined : await createTestDatabase('sb_bench');
      const storage = hubStorage(pg?.url);
      const pairs = await seedPairs(storage, o.conversations);
      const redisEnv: Record<string, string> = backend === 'postgres+redis' ? { REDIS_URL: 'redis://127.0.0.1:6379', REDIS_PREFIX: `sbbench${Date.now()}` } : {};
      const nodes = [await startHub(storage, redisEnv, o.pin.server, o.serverNodeArgs)];
      // The two-node case: visitors on node A, agents on node B, events cross Redis.
      if (backend === 'postgres+redis') nodes.push(await startHub(storage, redisEnv, o.pin.server, o.serverNodeArgs));
      const visitorNode = nodes[0]!;
      const agentNode = nodes[nodes.length - 1]!;
      return {
        protocol: 'hub',
        pairs: pairs.map((p) => ({ visitor: wsUrl(visitorNode, p.visitorToken), agent: wsUrl(agentNode, p.agentToken) })),
        pids: nodes.map((n) => n.proc.child.pid!).filter(Boolean),
        databaseUrl: pg?.url,
        redisUrl: redisEnv.REDIS_URL,
        stop: async () => {
          await Promise.all(nodes.map((n) => n.proc.stop()));
          await pg?.drop();
          if (redisEnv.REDIS_PREFIX) await deleteRedisPrefix(redisEnv.REDIS_URL!, redisEnv.REDIS_PREFIX);
        },
      };
    },
  };
}

function baselineTarget(name: string, entry: string, protocol: 'ws' | 'socketio'): Target {
  return {
    name,
    setup: async (o) => {
      const port = await freePort();
      const proc: Spawned = spawnTs(entry, ['--port', String(port)], {}, o.pin.server, o.serverNodeArgs);
      await proc.waitFor(/"ready":true/);
      const base = protocol === 'ws' ? `ws://127.0.0.1:${port}/` : `http://127.0.0.1:${port}`;
      const pairs = Array.from({ length: o.conversations }, (_, i) => ({
        visitor: `${base}?room=r${i}&role=visitor`,
        agent: `${base}?room=r${i}&role=agent`,
      }));
      return { protocol, pairs, pids: [proc.child.pid!], stop: () => proc.stop() };
    },
  };
}

export const RELAY_TARGETS: Target[] = [
  baselineTarget('raw ws relay (ceiling)', 'bench/baselines/ws-relay.ts', 'ws'),
  baselineTarget('socket.io relay', 'bench/baselines/socketio-relay.ts', 'socketio'),
  hubTarget('hub · SQLite', 'sqlite'),
  hubTarget('hub · PostgreSQL', 'postgres'),
  hubTarget('hub · PostgreSQL + Redis, 2 nodes', 'postgres+redis'),
];

type TargetEnv = Awaited<ReturnType<Target['setup']>>;

const passes = (step: RelayStep, rate: number, o: RelayOptions) => step.e2e.p99 <= o.p99LimitMs && step.lost === 0 && step.achievedRate >= rate * 0.95;

/** One load-generator run at `rate`, with the PostgreSQL backends' CPU per message when there is a database. */
async function runStep(env: TargetEnv, rate: number, o: RelayOptions): Promise<RelayStep> {
  const dbBefore: CpuSnapshot | undefined = env.databaseUrl ? await cpuSnapshot(undefined, env.databaseUrl).catch(() => undefined) : undefined;
  const redisBefore = env.redisUrl ? await redisCounters(env.redisUrl).catch(() => undefined) : undefined;
  const step = await runLoadgen<RelayStep>(
    { kind: 'relay', protocol: env.protocol, pairs: env.pairs, ratePerSecond: rate, durationMs: o.stepMs, warmupMs: o.warmupMs, drainMs: o.drainMs, bindAddresses: o.bindAddresses, serverPids: env.pids },
    o.pin.loadgen,
    o.loadgenNodeArgs,
  );
  step.targetRate = rate;
  const dbAfter = dbBefore && env.databaseUrl ? await cpuSnapshot(undefined, env.databaseUrl).catch(() => undefined) : undefined;
  if (dbBefore && dbAfter && step.sentAll) {
    let ms = 0;
    for (const [pid, after] of dbAfter.backends) ms += after - (dbBefore.backends.get(pid) ?? 0);
    step.databaseCpuUsPerMessage = Math.round((ms * 1000) / step.sentAll);
  }
  const redisAfter = redisBefore && env.redisUrl ? await redisCounters(env.redisUrl).catch(() => undefined) : undefined;
  if (redisBefore && redisAfter && step.sentAll) step.redisPerMessage = redisPerUnit(redisBefore, redisAfter, step.sentAll);
  return step;
}

/** Steps the offered rate up for one target until a step fails twice (p99 over the limit, a message lost, or the rate not offered). */
export async function runRelayTarget(target: Target, o: RelayOptions): Promise<RelayTargetResult> {
  const env = await target.setup(o);
  const steps: RelayStep[] = [];
  let maxPassingRate = 0;
  try {
    for (const rate of o.rates) {
      let step = await runStep(env, rate, o);
      let pass = passes(step, rate, o);
      if (!pass && o.retryFailedStep !== false) {
        // The machine is shared (builds, browsers): one bad step is retried once before the
        // ladder stops, and the first attempt is kept in the report.
        o.log(`  ${target.name} @ ${rate}/s: p99 ${step.e2e.p99.toFixed(2)} ms, lost ${step.lost}, achieved ${Math.round(step.achievedRate)}/s; retrying once`);
        const first = step;
        step = await runStep(env, rate, o);
        step.firstAttempt = { e2e: first.e2e, lost: first.lost, achievedRate: first.achievedRate };
        pass = passes(step, rate, o);
      }
      steps.push(step);
      o.log(
        `  ${target.name} @ ${rate}/s: p50 ${step.e2e.p50.toFixed(2)} ms, p99 ${step.e2e.p99.toFixed(2)} ms, lost ${step.lost}, achieved ${Math.round(step.achievedRate)}/s, ` +
          `CPU/msg server ${step.serverCpuUsPerMessage ?? '?'} µs${step.databaseCpuUsPerMessage !== undefined ? `, PostgreSQL ${step.databaseCpuUsPerMessage} µs` : ''}, generator ${step.loadgenCpuUsPerMessage ?? '?'} µs` +
          `${step.redisPerMessage ? `, Redis ${step.redisPerMessage.commands} commands / ${step.redisPerMessage.reads} reads per message` : ''} ${pass ? 'PASS' : 'FAIL'}`,
      );
      if (!pass) {
        if (o.continueOnFail) continue;
        break;
      }
      maxPassingRate = rate;
    }
  } finally {
    await env.stop();
  }
  return { target: target.name, steps, maxPassingRate };
}

