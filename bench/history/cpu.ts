/**
 * CPU time of the hub process and of the database's PostgreSQL backends, read from /proc, so a
 * phase can report CPU per request: a figure that holds even when other work shares the cores
 * and the latencies do not. Also what the backends read from storage (not from the OS page
 * cache): a machine that evicts cached files (this VM runs a DAMON page-out scheme) turns cold
 * reads into disk reads, which the CPU figures alone do not show.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import pg from 'pg';

let ticks: number | undefined;
const ticksPerSecond = (): number => {
  if (ticks === undefined) {
    try {
      ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticks = 100;
    }
  }
  return ticks;
};

/** User + system CPU milliseconds of one process, or undefined when it cannot be read. */
export function processCpuMs(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of stat (utime, stime) are at 11 and 12 after the command name.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond();
  } catch {
    return undefined;
  }
}

/** Bytes a process had fetched from storage (`read_bytes` of /proc/<pid>/io), or undefined. */
function processDiskReadBytes(pid: number): number | undefined {
  try {
    const m = /^read_bytes: (\d+)$/m.exec(fs.readFileSync(`/proc/${pid}/io`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

export interface CpuSnapshot {
  hub: number | undefined;
  backends: Map<number, number>;
  /** Storage reads per backend, where readable. */
  backendDiskBytes: Map<number, number>;
  at: number;
  load: number;
}

/** Takes a snapshot of the hub's and the database backends' CPU time (not counting `own`'s backend). */
export async function cpuSnapshot(hubPid: number | undefined, url: string): Promise<CpuSnapshot> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const backends = new Map<number, number>();
  const backendDiskBytes = new Map<number, number>();
  try {
    const rows = (await c.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()')).rows;
    for (const { pid } of rows) {
      const ms = processCpuMs(pid);
      if (ms !== undefined) backends.set(pid, ms);
      const bytes = processDiskReadBytes(pid);
      if (bytes !== undefined) backendDiskBytes.set(pid, bytes);
    }
  } finally {
    await c.end();
  }
  return { hub: hubPid === undefined ? undefined : processCpuMs(hubPid), backends, backendDiskBytes, at: Date.now(), load: os.loadavg()[0]! };
}

/** CPU per request between two snapshots, as a note. */
export function cpuNote(name: string, a: CpuSnapshot, b: CpuSnapshot, requests: number): string {
  const per = (ms: number) => (requests > 0 ? (ms / requests).toFixed(2) : 'n/a');
  const hub = a.hub !== undefined && b.hub !== undefined ? `${per(b.hub - a.hub)} ms` : 'unknown';
  let database = 0;
  for (const [pid, ms] of b.backends) database += ms - (a.backends.get(pid) ?? 0);
  let diskBytes = 0;
  for (const [pid, bytes] of b.backendDiskBytes) diskBytes += bytes - (a.backendDiskBytes.get(pid) ?? 0);
  const disk = b.backendDiskBytes.size && requests > 0 ? `; backends read ${(diskBytes / 1024 / requests).toFixed(1)} KiB per read from storage` : '';
  const seconds = (b.at - a.at) / 1000;
  return `${name} CPU per read: hub ${hub}, PostgreSQL backends ${per(database)} ms${disk} (over ${seconds.toFixed(1)} s; 1-min load average ${a.load.toFixed(1)} → ${b.load.toFixed(1)} on ${os.cpus().length} cores)`;
}
