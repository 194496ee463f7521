import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { canPin } from './proc.js';

/** Which CPUs the servers and the load generator run on (taskset -c lists), if pinned. */
export interface Pinning {
  server?: string;
  loadgen?: string;
  description: string;
}

export function choosePinning(): Pinning {
  const cores = os.cpus().length;
  if (!canPin(cores)) return { description: 'not pinned (taskset unavailable or a single core)' };
  const half = Math.floor(cores / 2);
  const server = half === 1 ? '0' : `0-${half - 1}`;
  const loadgen = half === 1 ? '1' : `${half}-${cores - 1}`;
  return { server, loadgen, description: `servers on CPU ${server}, load generator on CPU ${loadgen} (taskset)` };
}

const version = (cmd: string, args: string[]) => {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8' }).trim().split('\n')[0];
  } catch {
    return 'unavailable';
  }
};

/** The machine and versions a report came from. */
export function machineInfo() {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    postgres: version('psql', ['--version']),
    redis: version('redis-server', ['--version']),
    openFileLimit: version('sh', ['-c', 'ulimit -n']),
  };
}
