/**
 * `npm run bench [-- --quick] [-- --only relay,connections,history,widget]`: runs the
 * benchmark scenarios, prints a table, and writes bench/results/<timestamp>.json and an SVG
 * chart (also as latest.json / latest-relay.svg, which the README links).
 */
import fs from 'node:fs';
import path from 'node:path';
import { runConnections, type ConnectionsResult } from './connections.js';
import { runHistoryBench, type HistoryBenchResult } from './history/index.js';
import { relayChart } from './lib/chart.js';
import { choosePinning, machineInfo } from './lib/machine.js';
import { buildOnce, ROOT } from './lib/proc.js';
import { RELAY_TARGETS, runRelayTarget, type RelayTargetResult } from './relay.js';
import { measureWidget, type WidgetResult } from './widget.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const onlyIndex = args.findIndex((a) => a.startsWith('--only'));
const onlyValue = onlyIndex < 0 ? '' : args[onlyIndex]!.includes('=') ? args[onlyIndex]!.split('=')[1]! : (args[onlyIndex + 1] ?? '');
const only = new Set(onlyValue.split(',').filter(Boolean));
const wanted = (s: string) => only.size === 0 || only.has(s);

const PROFILE = quick
  ? { conversations: 200, rates: [250, 1000, 3000, 6000], stepMs: 2000, warmupMs: 500, drainMs: 1000, perProcess: 2000, nodes: 2, holdMs: 1000, history: { tenants: 200, messages: 100_000, conversationsPerTenant: 5, ratePerSecond: 200, durationMs: 3000 } }
  : { conversations: 1000, rates: [250, 500, 1000, 1500, 2000, 3000, 4000, 6000, 8000, 10_000, 12_000, 16_000, 20_000, 30_000], stepMs: 8000, warmupMs: 2000, drainMs: 2000, perProcess: 19_000, nodes: 6, holdMs: 3000, history: { tenants: 10_000, messages: 10_000_000, conversationsPerTenant: 5, ratePerSecond: 200, durationMs: 15_000 } };
const P99_LIMIT_MS = 50;
// Client sockets spread over loopback addresses so 100k connections do not exhaust one address's ports.
const BIND = Array.from({ length: 8 }, (_, i) => `127.0.0.${i + 2}`);

const log = (line: string) => process.stderr.write(`${line}\n`);
buildOnce();
const pin = choosePinning();
const started = Date.now();

const report: {
  mode: string;
  startedAt: string;
  durationSeconds?: number;
  machine: ReturnType<typeof machineInfo>;
  pinning: string;
  p99LimitMs: number;
  relay?: { conversations: number; results: RelayTargetResult[]; ratios: Record<string, { vsRawWs: number | null; vsSocketIo: number | null }> };
  connections?: ConnectionsResult[];
  history?: HistoryBenchResult | { error: string };
  widget?: WidgetResult;
} = { mode: quick ? 'quick' : 'full', startedAt: new Date(started).toISOString(), machine: machineInfo(), pinning: pin.description, p99LimitMs: P99_LIMIT_MS };

if (wanted('relay')) {
  log(`relay: ${PROFILE.conversations} conversations (${PROFILE.conversations * 2} connections), rates ${PROFILE.rates.join(', ')}/s`);
  const results: RelayTargetResult[] = [];
  for (const target of RELAY_TARGETS) {
    results.push(await runRelayTarget(target, { conversations: PROFILE.conversations, rates: PROFILE.rates, stepMs: PROFILE.stepMs, warmupMs: PROFILE.warmupMs, drainMs: PROFILE.drainMs, p99LimitMs: P99_LIMIT_MS, bindAddresses: BIND, pin, log, retryFailedStep: !quick }));
  }
  const rate = (name: string) => results.find((r) => r.target.startsWith(name))?.maxPassingRate ?? 0;
  const ratio = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 100) / 100 : null);
  const ratios = Object.fromEntries(
    results.filter((r) => r.target.startsWith('hub')).map((r) => [r.target, { vsRawWs: ratio(r.maxPassingRate, rate('raw ws')), vsSocketIo: ratio(r.maxPassingRate, rate('socket.io')) }]),
  );
  report.relay = { conversations: PROFILE.conversations, results, ratios };
}

if (wanted('connections')) {
  log(`connections: ${PROFILE.perProcess} idle visitors per process${PROFILE.nodes > 1 ? `, then ${PROFILE.nodes} nodes` : ''}`);
  report.connections = await runConnections({ perProcess: PROFILE.perProcess, nodes: PROFILE.nodes, holdMs: PROFILE.holdMs, bindAddresses: BIND, pin, log });
}

if (wanted('history')) {
  log(`history: ${PROFILE.history.messages.toLocaleString('en')} messages over ${PROFILE.history.tenants.toLocaleString('en')} tenants`);
  try {
    report.history = await runHistoryBench({ ...PROFILE.history, redis: true, log });
  } catch (err) {
    report.history = { error: err instanceof Error ? err.message : String(err) };
    log(`  history failed: ${report.history.error}`);
  }
}

if (wanted('widget')) report.widget = measureWidget();
report.durationSeconds = Math.round((Date.now() - started) / 1000);

// ---- output ----
const dir = path.join(ROOT, 'bench/results');
fs.mkdirSync(dir, { recursive: true });
const stamp = report.startedAt.replace(/[:.]/g, '-');
const json = JSON.stringify(report, null, 2);
fs.writeFileSync(path.join(dir, `${stamp}.json`), json);
// `latest` is the complete run the README quotes; a partial run (--only) gets its own name.
const latest = `latest${quick ? '-quick' : ''}${only.size ? `-${[...only].sort().join('-')}` : ''}`;
fs.writeFileSync(path.join(dir, `${latest}.json`), json);
if (report.relay) {
  const svg = relayChart(report.relay.results, P99_LIMIT_MS);
  fs.writeFileSync(path.join(dir, `${stamp}-relay.svg`), svg);
  fs.writeFileSync(path.join(dir, `${latest}-relay.svg`), svg);
}

const rows: string[][] = [];
// Memory that fell while connections were held (startup allocations released during the run, which
// a small quick run cannot outweigh) says nothing per connection: shown as such, kept raw in the JSON.
const perConnection = (bytes: number | null) => (bytes === null ? '—' : bytes < 0 ? 'below noise (fell)' : `${bytes} B`);
for (const r of report.relay?.results ?? []) {
  const best = r.steps.filter((s) => s.targetRate === r.maxPassingRate)[0];
  rows.push(['relay', r.target, `${r.maxPassingRate}/s`, best ? `p50 ${best.e2e.p50.toFixed(2)} / p99 ${best.e2e.p99.toFixed(2)} ms` : '—', report.relay!.ratios[r.target] ? `×${report.relay!.ratios[r.target]!.vsRawWs} raw ws, ×${report.relay!.ratios[r.target]!.vsSocketIo} socket.io` : '']);
}
for (const c of report.connections ?? []) {
  rows.push(['connections', c.target, `${c.connected.toLocaleString('en')} held`, `${perConnection(c.rssBytesPerConnection)} RSS, ${perConnection(c.heapBytesPerConnection)} heap /conn`, `${Math.round(c.connectRatePerSec)} conn/s`]);
}
if (report.history && 'recent' in report.history) {
  const h = report.history;
  rows.push(['history', `warm (${h.seeded.messages.toLocaleString('en')} msgs)`, `${h.targetRate}/s`, `p50 ${h.recent.p50.toFixed(2)} / p99 ${h.recent.p99.toFixed(2)} ms`, '']);
  rows.push(['history', 'cold', `${h.targetRate}/s`, `p50 ${h.old.p50.toFixed(2)} / p99 ${h.old.p99.toFixed(2)} ms`, '']);
}
if (report.widget) rows.push(['widget', report.widget.built ? 'gzip' : 'not built', report.widget.loaderGzipBytes ? `${report.widget.loaderGzipBytes} B loader` : '—', report.widget.firstMessageGzipBytes ? `${report.widget.firstMessageGzipBytes} B before first message` : '', report.widget.note ?? '']);
const widths = rows.reduce((w, r) => r.map((c, i) => Math.max(w[i] ?? 0, c.length)), [] as number[]);
process.stdout.write(`\nSwitchboard bench (${report.mode}) on ${report.machine.cores} cores / ${report.machine.memoryGiB} GiB, ${report.pinning}\n`);
for (const r of rows) process.stdout.write(`${r.map((c, i) => c.padEnd(widths[i]!)).join('  ')}\n`);
process.stdout.write(`\nreport: bench/results/${stamp}.json${report.relay ? `, chart: bench/results/${stamp}-relay.svg` : ''}\n`);
