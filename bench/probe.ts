/**
 * One relay target at chosen rates, for A/B comparisons and profiles (the full ladder is `npm run bench`).
 * `tsx bench/probe.ts --target ws|socketio|sqlite|pg|pgredis [--rates 4000,8000] [--conversations 1000]
 *   [--step 5000] [--warmup 1000] [--all-rates] [--server-prof DIR] [--loadgen-prof DIR]`
 * `--server-prof` / `--loadgen-prof` write V8 CPU profiles (`--cpu-prof`) of the servers / generator;
 * `--server-node-args "--heap-prof --heap-prof-dir=/tmp/h"` passes any other Node flags to the servers.
 */
import path from 'node:path';
import { choosePinning } from './lib/machine.js';
import { buildOnce } from './lib/proc.js';
import { RELAY_TARGETS, runRelayTarget } from './relay.js';

const args = process.argv.slice(2);
const arg = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const TARGETS: Record<string, string> = { ws: 'raw ws', socketio: 'socket.io', sqlite: 'hub · SQLite', pg: 'hub · PostgreSQL', pgredis: 'hub · PostgreSQL + Redis' };
const wantedName = TARGETS[arg('target') ?? 'ws'];
const target = RELAY_TARGETS.find((t) => wantedName && t.name.startsWith(wantedName) && (wantedName !== 'hub · PostgreSQL' || !t.name.includes('Redis')));
if (!target) throw new Error(`--target must be one of ${Object.keys(TARGETS).join(', ')}`);
const profArgs = (dir: string | undefined) => (dir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(dir)}`] : []);

buildOnce();
const result = await runRelayTarget(target, {
  conversations: Number(arg('conversations') ?? 1000),
  rates: (arg('rates') ?? '4000').split(',').map(Number),
  stepMs: Number(arg('step') ?? 5000),
  warmupMs: Number(arg('warmup') ?? 1000),
  drainMs: 2000,
  p99LimitMs: 50,
  bindAddresses: Array.from({ length: 8 }, (_, i) => `127.0.0.${i + 2}`),
  pin: choosePinning(),
  log: (line) => process.stderr.write(`${line}\n`),
  serverNodeArgs: [...profArgs(arg('server-prof')), ...(arg('server-node-args')?.split(' ').filter(Boolean) ?? [])],
  loadgenNodeArgs: profArgs(arg('loadgen-prof')),
  continueOnFail: args.includes('--all-rates'),
});
process.stdout.write(`${JSON.stringify(result.steps.map((s) => ({ rate: s.targetRate, achieved: s.achievedRate, e2e: s.e2e, lost: s.lost, serverCpuUs: s.serverCpuUsPerMessage, loadgenCpuUs: s.loadgenCpuUsPerMessage })))}\n`);
