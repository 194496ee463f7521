/**
 * Load generator: `node --import tsx bench/loadgen/main.ts < config.json`
 * Reads one LoadgenConfig (bench/loadgen/types.ts) on stdin, prints one JSON result line on stdout.
 * Progress goes to stderr (never as JSON). Exits 1 without a result line on a bad config.
 */
import { runIdle } from './idle.js';
import { runRelay } from './relay.js';
import type { LoadgenConfig, Protocol } from './types.js';

const log = (line: string) => process.stderr.write(`loadgen: ${line}\n`);

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function validate(c: unknown): LoadgenConfig {
  const cfg = c as Partial<LoadgenConfig> | null;
  const protocols: Protocol[] = ['hub', 'ws', 'socketio'];
  if (!cfg || typeof cfg !== 'object') throw new Error('config must be a JSON object');
  if (!protocols.includes(cfg.protocol as Protocol)) throw new Error(`protocol must be one of ${protocols.join(', ')}`);
  if (!Array.isArray(cfg.bindAddresses)) throw new Error('bindAddresses must be an array (may be empty)');
  if (cfg.kind === 'relay') {
    if (!Array.isArray(cfg.pairs) || cfg.pairs.some((p) => typeof p?.visitor !== 'string' || typeof p?.agent !== 'string')) {
      throw new Error('pairs must be [{visitor, agent}] URLs');
    }
    for (const k of ['ratePerSecond', 'durationMs', 'warmupMs', 'drainMs'] as const) {
      if (typeof cfg[k] !== 'number' || !(cfg[k] >= 0)) throw new Error(`${k} must be a number >= 0`);
    }
    if (!((cfg.ratePerSecond ?? 0) > 0)) throw new Error('ratePerSecond must be > 0');
    return cfg as LoadgenConfig;
  }
  if (cfg.kind === 'idle') {
    if (!Array.isArray(cfg.urls) || cfg.urls.some((u) => typeof u !== 'string')) throw new Error('urls must be an array of URLs');
    if (typeof cfg.holdMs !== 'number' || !(cfg.holdMs >= 0)) throw new Error('holdMs must be a number >= 0');
    return cfg as LoadgenConfig;
  }
  throw new Error('kind must be "relay" or "idle"');
}

async function main(): Promise<void> {
  let cfg: LoadgenConfig;
  try {
    cfg = validate(JSON.parse(await readStdin()));
  } catch (err) {
    log(`bad config: ${(err as Error).message}`);
    process.exit(1);
  }
  const result = cfg.kind === 'relay' ? await runRelay(cfg, log) : await runIdle(cfg, log);
  process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
}

main().catch((err: unknown) => {
  log(`failed: ${(err as Error)?.stack ?? String(err)}`);
  process.exit(1);
});
