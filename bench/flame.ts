/**
 * A flame graph (SVG) of a V8 CPU profile, e.g. one `bench/probe.ts --server-prof DIR` wrote:
 * `tsx bench/flame.ts DIR/CPU.….cpuprofile [--from S] [--to S] [--title "…"] [--out file.svg]`
 * `--from`/`--to` pick a window in seconds from the profile's start (one load step, say); the
 * busy share of every second is printed first to help choose it.
 */
import fs from 'node:fs';
import { busyPerSecond, flameSvg, flameTree, type CpuProfile } from './lib/flame.js';

const args = process.argv.slice(2);
const arg = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const file = args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
if (!file) {
  process.stderr.write('usage: tsx bench/flame.ts PROFILE.cpuprofile [--from S] [--to S] [--title T] [--out FILE.svg]\n');
  process.exit(2);
}
const seconds = (name: string) => {
  const v = arg(name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a number of seconds, got ${v}`);
  return n;
};

const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
process.stderr.write(`busy per second: ${busyPerSecond(profile).map((b, s) => `${s}:${Math.round(b * 100)}%`).join(' ')}\n`);
const tree = flameTree(profile, { fromS: seconds('from'), toS: seconds('to') });
const out = arg('out') ?? file.replace(/\.cpuprofile$/, '') + '.svg';
fs.writeFileSync(out, flameSvg(tree, { title: arg('title') ?? file }));
process.stderr.write(`${out}: ${(tree.root.totalUs / 1e3).toFixed(0)} ms on the CPU in a ${(tree.windowUs / 1e6).toFixed(2)} s window\n`);
