/**
 * Runs the history scenario alone and prints its JSON result on stdout (progress on stderr):
 *   node --import tsx bench/history/cli.ts --messages 200000 --tenants 1000
 *     [--conversations-per-tenant 5] [--rate 200] [--duration 5000] [--no-redis]
 */
import { parseArgs } from 'node:util';
import { buildOnce } from '../lib/proc.js';
import { runHistoryBench } from './index.js';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '200000' },
    tenants: { type: 'string', default: '1000' },
    'conversations-per-tenant': { type: 'string', default: '5' },
    rate: { type: 'string', default: '200' },
    duration: { type: 'string', default: '5000' },
    'no-redis': { type: 'boolean', default: false },
  },
});
const num = (name: keyof typeof values) => {
  const n = Number(String(values[name]).replace(/_/g, ''));
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number`);
  return n;
};

// The hub runs from dist/ (as `npm start` runs it): build it first, so a run never measures stale code.
buildOnce();
const started = Date.now();
const result = await runHistoryBench({
  messages: num('messages'),
  tenants: num('tenants'),
  conversationsPerTenant: num('conversations-per-tenant'),
  ratePerSecond: num('rate'),
  durationMs: num('duration'),
  redis: !values['no-redis'],
  log: (line) => process.stderr.write(`${line}\n`),
});
process.stderr.write(`history bench finished in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
