import { spawn, type ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');

let hasTaskset: boolean | undefined;
/** True when `taskset` exists and this machine has at least two cores to split. */
export function canPin(cores: number): boolean {
  if (hasTaskset === undefined) {
    try {
      execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
      hasTaskset = true;
    } catch {
      hasTaskset = false;
    }
  }
  return hasTaskset && cores >= 2;
}

export interface Spawned {
  child: ChildProcess;
  output(): string;
  /** Resolves with the first stdout match of `re`. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  stop(): Promise<void>;
}

/** Builds dist/ once, so hub nodes run the compiled server like `npm start` does. */
export function buildOnce(): void {
  // Build output goes to stderr: stdout carries the reports (JSON) of the bench commands.
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: ['ignore', process.stderr, process.stderr] });
}

/** Spawns an entry (compiled .js, or .ts under tsx), pinned to `cpu` with taskset when given. */
export function spawnTs(entry: string, args: string[], env: Record<string, string>, cpu?: string, nodeArgs: string[] = []): Spawned {
  // Compiled JavaScript runs as is (the hub is measured as `npm start` runs it); TypeScript under tsx.
  const loader = entry.endsWith('.js') ? [] : ['--import', 'tsx'];
  const node = [process.execPath, ...nodeArgs, ...loader, path.join(ROOT, entry), ...args];
  const [cmd, ...rest] = cpu ? ['taskset', '-c', cpu, ...node] : node;
  const child = spawn(cmd!, rest, { cwd: ROOT, env: { ...process.env, ...env } as NodeJS.ProcessEnv, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    child,
    output: () => out,
    waitFor: (re, timeoutMs = 60_000) =>
      new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`${entry}: no ${re} within ${timeoutMs} ms:\n${out.slice(-2000)}`)), timeoutMs);
        const check = () => {
          const m = re.exec(out);
          if (m) {
            clearTimeout(t);
            child.stdout!.off('data', check);
            resolve(m);
          }
        };
        child.stdout!.on('data', check);
        void exited.then(() => {
          clearTimeout(t);
          reject(new Error(`${entry} exited:\n${out.slice(-2000)}`));
        });
        check();
      }),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    },
  };
}

/** Runs the load generator with `config` on stdin; resolves with its JSON result. */
export async function runLoadgen<T>(config: unknown, cpu?: string, nodeArgs: string[] = []): Promise<T> {
  const p = spawnTs('bench/loadgen/main.ts', [], {}, cpu, nodeArgs);
  // LOADGEN_ECHO=1 shows the generator's progress lines (stderr) as they come.
  if (process.env.LOADGEN_ECHO === '1') p.child.stderr!.on('data', (d) => process.stderr.write(d));
  p.child.stdin!.end(JSON.stringify(config));
  await new Promise<void>((resolve) => p.child.once('exit', () => resolve()));
  const lines = p.output().trim().split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    try {
      return JSON.parse(lines[i]!) as T;
    } catch {
      // not the result line
    }
  }
  throw new Error(`load generator printed no result:\n${p.output().slice(-2000)}`);
}
