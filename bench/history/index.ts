/**
 * Scenario 3 of issue 4, "History": seed PostgreSQL with bulk COPY (not the API), start one
 * real hub process on it, then measure `GET /api/v1/conversations/:id/messages` at a fixed
 * request rate for recent conversations (served by the warm tier) and for old ones (never read
 * before, deep pages: served by the database). The server's own `sb_history_reads_total`
 * counters say where each phase's reads were actually answered from.
 */
import fs from 'node:fs';
import os from 'node:os';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/pg.js';
import { createDb } from '../../server/storage/db.js';
import { migrateLatest } from '../../server/storage/migrate.js';
import { cpuNote, cpuSnapshot } from './cpu.js';
import { deleteRedisKeys, REDIS_URL, startHistoryHub, type HistoryHub } from './hub.js';
import { redisCounters, redisPerUnit } from '../lib/redis-stats.js';
import { expectedPage, httpTarget, readAll, runOpenLoop, type HistoryRequest, type PhaseResult } from './load.js';
import { seedHistory, type Seeded } from './seed.js';
import { rng } from './text.js';
import type { HistoryBenchOptions, HistoryBenchResult } from './types.js';

export type { HistoryBenchOptions, HistoryBenchResult, LatencySummary } from './types.js';

const RECENT_CONVERSATIONS = 200;
/** The server's default CACHE_MAX_MESSAGES: the tail a cold read loads into the warm tier. */
const TAIL = 200;
/** Bytes per seeded message, heap plus indexes (measured: ~650 MB per million), with WAL headroom. */
const DISK_BYTES_PER_MESSAGE = 1300;

function checkOptions(o: HistoryBenchOptions): void {
  const positive = { tenants: o.tenants, messages: o.messages, conversationsPerTenant: o.conversationsPerTenant, ratePerSecond: o.ratePerSecond, durationMs: o.durationMs };
  for (const [k, v] of Object.entries(positive)) if (!(Number.isFinite(v) && v > 0)) throw new RangeError(`history bench: ${k} must be positive, got ${v}`);
}

/** Fails early when the PostgreSQL data directory (if on this machine) cannot hold the seed. */
async function checkDisk(url: string, messages: number, notes: string[]): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const dir = (await c.query<{ data_directory: string }>('SHOW data_directory')).rows[0]!.data_directory;
    const s = fs.statfsSync(dir);
    const free = s.bavail * s.bsize;
    const need = messages * DISK_BYTES_PER_MESSAGE;
    notes.push(`disk: ${(free / 1e9).toFixed(1)} GB free in ${dir}, seed estimated at ≤ ${(need / 1e9).toFixed(1)} GB`);
    if (free < need) throw new Error(`history bench: ${(free / 1e9).toFixed(1)} GB free in ${dir}, need about ${(need / 1e9).toFixed(1)} GB`);
  } catch (err) {
    if (err instanceof Error && err.message.startsWith('history bench')) throw err;
    notes.push('disk: could not check free space of the PostgreSQL data directory (not local or not readable)');
  } finally {
    await c.end();
  }
}

const shuffle = <T>(a: T[], random: () => number): T[] => {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
};

async function requestFor(hub: HistoryHub, s: Seeded, k: number, before?: number): Promise<HistoryRequest> {
  const t = s.conversationTenant[k]!;
  return expectedPage(s.conversationIds[k]!, await hub.agentToken(s.tenantIds[t]!, s.agentIds[t]!), s.lastSeq[k]!, before);
}

const phaseNote = (name: string, p: PhaseResult, reads: { cache: number; database: number }) =>
  `${name}: ${p.ok} ok, ${p.errors} errors, ${p.verified} bodies verified (${p.wrong} wrong); server history reads: cache ${reads.cache}, database ${reads.database}`;

export async function runHistoryBench(opts: HistoryBenchOptions): Promise<HistoryBenchResult> {
  checkOptions(opts);
  const notes: string[] = [];
  const random = rng(0xbe4c4);
  const tdb: TestDatabase = await createTestDatabase('sb_bench');
  let hub: HistoryHub | undefined;
  try {
    opts.log(`  database ${tdb.name}: migrating`);
    const db = createDb({ databaseUrl: tdb.url, dataDir: os.tmpdir(), poolMax: 2 });
    try {
      await migrateLatest(db);
    } finally {
      await db.destroy();
    }
    await checkDisk(tdb.url, opts.messages, notes);
    const seeded = await seedHistory(tdb.url, { tenants: opts.tenants, messages: opts.messages, conversationsPerTenant: opts.conversationsPerTenant, log: opts.log });
    const K = seeded.conversationIds.length;
    const size = await sizeOf(tdb.url);
    notes.push(
      `seed: ${seeded.seconds.toFixed(1)} s in all: message COPY ${seeded.phases.copy.toFixed(1)} s (${seeded.copyRowsPerSecond.toLocaleString('en')} rows/s), index rebuild ${seeded.phases.index.toFixed(1)} s, VACUUM + ANALYZE ${seeded.phases.vacuum.toFixed(1)} s; database ${size}`,
    );
    opts.log(`  seeded in ${seeded.seconds.toFixed(1)} s (${size}); starting the hub${opts.redis ? ' with Redis' : ''}`);

    hub = await startHistoryHub(tdb.url, opts.redis);
    const target = httpTarget(hub.url);
    const perPhase = Math.max(1, Math.round((opts.ratePerSecond * opts.durationMs) / 1000));

    // Recent: the most recently active conversations, read once so they are in the warm tier.
    const byRecency = Array.from({ length: K }, (_, k) => k).sort((a, b) => seeded.lastAt[b]! - seeded.lastAt[a]!);
    const recentSet = byRecency.slice(0, Math.min(RECENT_CONVERSATIONS, Math.max(1, Math.floor(K / 5))));
    const recentPages = await Promise.all(recentSet.map((k) => requestFor(hub!, seeded, k)));
    const r0 = await hub.historyReads();
    const warmProblems = await readAll(target, recentPages);
    const r1 = await hub.historyReads();
    notes.push(`warm-up: read ${recentPages.length} recent conversations once (${warmProblems.length} problems); server history reads: cache ${r1.cache - r0.cache}, database ${r1.database - r0.database}`);
    for (const p of warmProblems.slice(0, 5)) notes.push(`warm-up problem: ${p}`);
    const recentRequests = Array.from({ length: perPhase }, (_, i) => recentPages[i % recentPages.length]!);
    shuffle(recentRequests, random);
    // A freshly started process runs unoptimised code: one untimed second at the rate first.
    const jit = await runOpenLoop(target, recentRequests.slice(0, Math.min(perPhase, Math.ceil(opts.ratePerSecond))), opts.ratePerSecond);
    const r1b = await hub.historyReads();
    notes.push(`jit warm-up: ${jit.ok} untimed reads of the recent set at the rate (${jit.errors} errors), p99 ${jit.latency.p99} ms`);
    opts.log(`  recent: ${perPhase} reads of ${recentPages.length} warm conversations at ${opts.ratePerSecond}/s`);
    const pid = hub.proc.child.pid;
    const c1 = await cpuSnapshot(pid, tdb.url);
    const k1 = opts.redis ? await redisCounters(REDIS_URL) : undefined;
    const recent = await runOpenLoop(target, recentRequests, opts.ratePerSecond);
    const k2 = opts.redis ? await redisCounters(REDIS_URL) : undefined;
    const c2 = await cpuSnapshot(pid, tdb.url);
    const r2 = await hub.historyReads();
    notes.push(phaseNote('recent', recent, { cache: r2.cache - r1b.cache, database: r2.database - r1b.database }));

    // Old: conversations never read, at random across all tenants, one request each, an old page.
    const inRecent = new Set(recentSet);
    const candidates = shuffle(Array.from({ length: K }, (_, k) => k).filter((k) => !inRecent.has(k)), random);
    const oldSet = candidates.slice(0, perPhase);
    if (oldSet.length < perPhase) notes.push(`old: only ${oldSet.length} never-read conversations for ${perPhase} requests; the phase is shorter (seed more conversations)`);
    let beyondTail = 0;
    const oldRequests = await Promise.all(
      oldSet.map((k) => {
        const last = seeded.lastSeq[k]!;
        if (last < 2) return requestFor(hub!, seeded, k);
        // A full page from the old end of the log: at or after the first page, before the newest TAIL messages when there are more.
        const lo = Math.min(last, 51);
        const hi = Math.max(lo, last - TAIL);
        const before = lo + Math.floor(random() * (hi - lo + 1));
        if (before <= last - TAIL) beyondTail++;
        return requestFor(hub!, seeded, k, before);
      }),
    );
    notes.push(`old: ${oldRequests.length} conversations, each read once with ?before=<seq>; ${beyondTail} of the pages lie entirely before the newest ${TAIL} messages`);
    opts.log(`  old: ${oldRequests.length} reads of never-read conversations at ${opts.ratePerSecond}/s`);
    const c3 = await cpuSnapshot(pid, tdb.url);
    const old = await runOpenLoop(target, oldRequests, opts.ratePerSecond);
    const c4 = await cpuSnapshot(pid, tdb.url);
    const r3 = await hub.historyReads();
    notes.push(phaseNote('old', old, { cache: r3.cache - r2.cache, database: r3.database - r2.database }));
    notes.push(cpuNote('recent', c1, c2, recent.ok + recent.errors), cpuNote('old', c3, c4, old.ok + old.errors));
    if (k1 && k2) {
      const per = redisPerUnit(k1, k2, recent.ok + recent.errors);
      notes.push(`recent Redis per read: ${per.commands} commands, ${per.reads} read events (client writes reaching it), from INFO stats`);
    }
    for (const p of [...recent.problems, ...old.problems].slice(0, 10)) notes.push(`problem: ${p}`);
    notes.push(`one hub process (default DB_POOL_MAX 10, ${opts.redis ? 'Redis' : 'in-process'} warm tier), client in the orchestrating process, neither pinned; latency from each request's scheduled time`);
    target.agent.destroy();

    return {
      seeded: {
        tenants: opts.tenants,
        conversations: K,
        messages: seeded.messages,
        seconds: Math.round(seeded.seconds * 10) / 10,
        rowsPerSecond: Math.round(seeded.messages / seeded.seconds),
      },
      recent: { ...recent.latency, source: 'warm' },
      old: { ...old.latency, source: 'cold' },
      targetRate: opts.ratePerSecond,
      achievedRate: { recent: recent.achievedRate, old: old.achievedRate },
      errors: warmProblems.length + jit.errors + recent.errors + old.errors,
      notes,
    };
  } finally {
    const serverOutput = hub?.proc.output() ?? '';
    await hub?.stop().catch((err: unknown) => opts.log(`  stopping the hub failed: ${String(err)}`));
    if (/"level":(40|50|60)/.test(serverOutput)) opts.log(`  hub warnings/errors (tail):\n${serverOutput.slice(-1500)}`);
    if (hub?.redisPrefix) {
      const n = await deleteRedisKeys(hub.redisPrefix).catch((err: unknown) => (opts.log(`  deleting Redis keys failed: ${String(err)}`), 0));
      opts.log(`  deleted ${n} Redis keys under ${hub.redisPrefix}:`);
    }
    await tdb.drop().catch((err: unknown) => opts.log(`  dropping ${tdb.name} failed: ${String(err)}`));
  }
}

async function sizeOf(url: string): Promise<string> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<{ s: string }>('SELECT pg_size_pretty(pg_database_size(current_database())) AS s')).rows[0]!.s;
  } finally {
    await c.end();
  }
}
