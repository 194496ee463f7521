import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../test/helpers/redis.js';
import { hubMemory, hubStorage, startHub, visitorTokens, type HubNode } from './lib/hub.js';
import { runLoadgen, spawnTs } from './lib/proc.js';
import type { Pinning } from './lib/machine.js';

export interface IdleResult {
  requested: number;
  connected: number;
  failed: number;
  connectRatePerSec: number;
}

export interface ConnectionsResult {
  target: string;
  nodes: number;
  connected: number;
  connectRatePerSec: number;
  /** Server memory growth per held connection (all nodes together / connections). */
  rssBytesPerConnection: number | null;
  heapBytesPerConnection: number | null;
}

export interface ConnectionsOptions {
  perProcess: number;
  /** Nodes for the many-node run (0 skips it). */
  nodes: number;
  holdMs: number;
  bindAddresses: string[];
  pin: Pinning;
  log(line: string): void;
}

type Memory = { rss: number; heapUsed: number };

/** Opens idle connections with one load generator per node, samples memory while all are held. */
async function hold(urlsPerNode: string[][], memory: () => Promise<Memory>, o: ConnectionsOptions, protocol: 'hub' | 'ws') {
  const before = await memory();
  const readyFiles = urlsPerNode.map((_, i) => path.join(os.tmpdir(), `sb-idle-${process.pid}-${Date.now()}-${i}.json`));
  const runs = urlsPerNode.map((urls, i) =>
    runLoadgen<IdleResult>({ kind: 'idle', protocol, urls, holdMs: o.holdMs, bindAddresses: o.bindAddresses, readyFile: readyFiles[i] }, o.pin.loadgen),
  );
  // Sample while every generator holds its connections.
  const deadline = Date.now() + 600_000;
  while (!readyFiles.every((f) => fs.existsSync(f)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  await new Promise((r) => setTimeout(r, 500));
  const during = await memory();
  const results = await Promise.all(runs);
  readyFiles.forEach((f) => fs.rmSync(f, { force: true }));
  const connected = results.reduce((a, r) => a + r.connected, 0);
  return {
    connected,
    connectRatePerSec: results.reduce((a, r) => a + r.connectRatePerSec, 0),
    rssBytesPerConnection: connected ? Math.round((during.rss - before.rss) / connected) : null,
    heapBytesPerConnection: connected ? Math.round((during.heapUsed - before.heapUsed) / connected) : null,
  };
}

const sum = async (nodes: HubNode[]): Promise<Memory> => {
  const all = await Promise.all(nodes.map(hubMemory));
  return { rss: all.reduce((a, m) => a + m.rss, 0), heapUsed: all.reduce((a, m) => a + m.heapUsed, 0) };
};

async function hubRun(nodesCount: number, perNode: number, o: ConnectionsOptions): Promise<ConnectionsResult> {
  const storage = hubStorage();
  const tokens = await visitorTokens(storage, nodesCount * perNode);
  const nodes: HubNode[] = [];
  try {
    for (let i = 0; i < nodesCount; i++) nodes.push(await startHub(storage, {}, o.pin.server));
    const urls = nodes.map((n, i) => tokens.slice(i * perNode, (i + 1) * perNode).map((t) => `${n.wsUrl}?token=${encodeURIComponent(t)}`));
    const r = await hold(urls, () => sum(nodes), o, 'hub');
    return { target: nodesCount === 1 ? 'hub (1 node, SQLite)' : `hub (${nodesCount} nodes, SQLite)`, nodes: nodesCount, ...r };
  } finally {
    await Promise.all(nodes.map((n) => n.proc.stop()));
    fs.rmSync(storage.dataDir, { recursive: true, force: true });
  }
}

async function wsRun(perProcess: number, o: ConnectionsOptions): Promise<ConnectionsResult> {
  const port = await freePort();
  const proc = spawnTs('bench/baselines/ws-relay.ts', ['--port', String(port)], {}, o.pin.server);
  try {
    await proc.waitFor(/"ready":true/);
    const memory = async (): Promise<Memory> => {
      const s = (await (await fetch(`http://127.0.0.1:${port}/stats`)).json()) as Memory;
      return { rss: s.rss, heapUsed: s.heapUsed };
    };
    const urls = Array.from({ length: perProcess }, (_, i) => `ws://127.0.0.1:${port}/?room=r${i}&role=visitor`);
    return { target: 'raw ws (1 process)', nodes: 1, ...(await hold([urls], memory, o, 'ws')) };
  } finally {
    await proc.stop();
  }
}

/** Scenario 2: idle visitor connections held by one process, then by several nodes. */
export async function runConnections(o: ConnectionsOptions): Promise<ConnectionsResult[]> {
  const results: ConnectionsResult[] = [];
  results.push(await wsRun(o.perProcess, o));
  o.log(`  raw ws: ${results.at(-1)!.connected} held`);
  results.push(await hubRun(1, o.perProcess, o));
  o.log(`  hub: ${results.at(-1)!.connected} held`);
  if (o.nodes > 1) {
    results.push(await hubRun(o.nodes, o.perProcess, o));
    o.log(`  hub x${o.nodes}: ${results.at(-1)!.connected} held`);
  }
  return results;
}
