import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { addressCycler, connect, ConnectError, pool, type Client } from './connect.js';
import type { IdleConfig, IdleResult } from './types.js';

const CONNECT_TIMEOUT_MS = 30_000;

/** Opens every URL (bounded concurrency), holds them all for holdMs, then closes them. */
export async function runIdle(cfg: IdleConfig, log: (line: string) => void): Promise<IdleResult> {
  const clients: Client[] = [];
  const failures: Record<string, number> = {};
  let failed = 0;
  let dropped = 0;
  let closing = false;
  const nextAddress = addressCycler(cfg.bindAddresses);
  const t0 = performance.now();
  let lastLog = t0;
  await pool(cfg.urls, cfg.connectConcurrency ?? 200, async (url) => {
    try {
      const c = await connect(cfg.protocol, url, { localAddress: nextAddress(), timeoutMs: CONNECT_TIMEOUT_MS });
      c.onClose = () => void (closing || dropped++);
      clients.push(c);
    } catch (err) {
      failed++;
      const reason = err instanceof ConnectError ? err.reason : 'error';
      failures[reason] = (failures[reason] ?? 0) + 1;
    }
    if (performance.now() - lastLog > 5000) {
      lastLog = performance.now();
      log(`${clients.length} connected, ${failed} failed so far`);
    }
  });
  const connectMs = performance.now() - t0;
  log(`${clients.length}/${cfg.urls.length} connected in ${Math.round(connectMs)} ms; holding ${cfg.holdMs} ms`);
  if (cfg.readyFile) {
    // Written atomically, so a reader never sees half a file.
    fs.writeFileSync(`${cfg.readyFile}.tmp`, JSON.stringify({ connected: clients.length }));
    fs.renameSync(`${cfg.readyFile}.tmp`, cfg.readyFile);
  }
  await new Promise((r) => setTimeout(r, cfg.holdMs));
  closing = true;
  const held = clients.length - dropped;
  for (const c of clients) c.close();
  if (dropped) log(`${dropped} connections dropped while held`);
  return {
    kind: 'idle',
    protocol: cfg.protocol,
    requested: cfg.urls.length,
    connected: clients.length,
    failed,
    connectRatePerSec: connectMs > 0 ? Math.round((clients.length / connectMs) * 1000) : 0,
    connectMs: Math.round(connectMs),
    droppedWhileHeld: clients.length - held,
    failures,
  };
}
