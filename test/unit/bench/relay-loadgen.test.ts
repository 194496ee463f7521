import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { runRelay } from '../../../bench/loadgen/relay.js';
import type { RelayConfig } from '../../../bench/loadgen/types.js';

/**
 * The benchmark's lost / duplicated counts are what the report promises are zero for every hub
 * step; these tests check that the load generator actually counts them, against a relay that
 * speaks the raw-ws baseline's protocol and misbehaves on purpose.
 */
interface Misbehaviour {
  /** Message n is never delivered to the agent (still acked). */
  drop?: (n: number) => boolean;
  /** Message n is delivered twice. */
  duplicate?: (n: number) => boolean;
  /** Message n reaches the agent this many ms late. */
  delayMs?: (n: number) => number;
}

async function startRelay(m: Misbehaviour = {}) {
  const server = http.createServer();
  const wss = new WebSocketServer({ server });
  const rooms = new Map<string, { agents: WebSocket[] }>();
  wss.on('connection', (ws, req) => {
    const q = new URL(req.url ?? '/', 'http://relay').searchParams;
    const room = rooms.get(q.get('room')!) ?? { agents: [] };
    rooms.set(q.get('room')!, room);
    if (q.get('role') === 'agent') return void room.agents.push(ws);
    let seq = 0;
    ws.on('message', (data) => {
      const f = JSON.parse(data.toString()) as { clientId: string; body: string };
      const n = (JSON.parse(f.body) as { n: number }).n;
      const out = JSON.stringify({ type: 'message.created', message: { body: f.body, seq: ++seq } });
      const deliver = () => {
        for (const a of room.agents) for (let i = m.duplicate?.(n) ? 2 : 1; i > 0; i--) a.send(out);
      };
      if (!m.drop?.(n)) {
        const delay = m.delayMs?.(n) ?? 0;
        if (delay > 0) setTimeout(deliver, delay);
        else deliver();
      }
      ws.send(JSON.stringify({ type: 'message.ack', clientId: f.clientId, message: { seq } }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    pairs: Array.from({ length: 4 }, (_, i) => ({ visitor: `ws://127.0.0.1:${port}/?room=r${i}&role=visitor`, agent: `ws://127.0.0.1:${port}/?room=r${i}&role=agent` })),
    close: async () => {
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((r) => wss.close(() => server.close(() => r())));
    },
  };
}

const config = (pairs: RelayConfig['pairs']): RelayConfig => ({
  kind: 'relay',
  protocol: 'ws',
  pairs,
  ratePerSecond: 200,
  durationMs: 1000,
  warmupMs: 100,
  drainMs: 200,
  bindAddresses: [],
});

describe('relay load generator counts', () => {
  let relay: Awaited<ReturnType<typeof startRelay>> | undefined;
  afterEach(async () => {
    await relay?.close();
    relay = undefined;
  });

  it('nothing lost or duplicated through a faithful relay', async () => {
    relay = await startRelay();
    const r = await runRelay(config(relay.pairs), () => {});
    expect(r.sent).toBe(200);
    expect(r).toMatchObject({ received: 200, acked: 200, lost: 0, unacked: 0, duplicated: 0, pairsConnected: 4 });
    expect(r.e2e.count).toBe(200);
  });

  it('every message the relay never delivers as lost, and every extra copy as duplicated', async () => {
    relay = await startRelay({ drop: (n) => n % 10 === 3, duplicate: (n) => n % 10 === 7 });
    const r = await runRelay(config(relay.pairs), () => {});
    // Messages 20..219 are measured (the first 20 are the warm-up); 20 of them end in 3.
    expect(r).toMatchObject({ sent: 200, received: 180, lost: 20, acked: 200, unacked: 0 });
    // Duplicates count over warm-up and measured window alike: 22 messages of 0..219 end in 7.
    expect(r.duplicated).toBe(22);
  });

  it('a backlog still arriving after the drain counts as late, with its delay, not as lost', async () => {
    relay = await startRelay({ delayMs: (n) => (n >= 200 ? 1200 : 0) });
    const r = await runRelay(config(relay.pairs), () => {});
    expect(r).toMatchObject({ sent: 200, received: 200, lost: 0, duplicated: 0 });
    expect(r.e2e.max).toBeGreaterThanOrEqual(1200);
  });
});
