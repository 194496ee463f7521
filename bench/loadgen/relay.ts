import crypto from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { addressCycler, connect, ConnectError, pool, type Client, type Frame } from './connect.js';
import { LatencyRecorder } from './histogram.js';
import type { RelayConfig, RelayResult } from './types.js';
import { processCpuMs } from '../history/cpu.js';

/** Longest wait after the drain for a backlog that is still arriving, and the stall that ends it. */
const LATE_CAP_MS = 30_000;
const STALL_MS = 2000;

const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const CONNECT_TIMEOUT_MS = 15_000;
/** Agents quiet this long after the warm-up means the hub finished what it set off (at most SETTLE_MAX_MS). */
const SETTLE_QUIET_MS = 500;
const SETTLE_MAX_MS = 10_000;

// Hot frames are recognised by their bytes instead of JSON.parse: the generator's CPU per
// message caps the load it can offer. Anything else still goes through JSON.parse.
const ACK_PREFIX = Buffer.from('{"type":"message.ack","clientId":"c');
const CREATED_PREFIX = Buffer.from('{"type":"message.created"');
/** A relayed body `{"n":…` as it appears JSON-escaped inside the frame. */
const BODY_MARK = Buffer.from('"body":"{\\"n\\":');

const startsWith = (data: Buffer, prefix: Buffer) => data.length > prefix.length && data.compare(prefix, 0, prefix.length, 0, prefix.length) === 0;
/** The decimal number at `at`, or -1 when there is none. */
function digitsAt(data: Buffer, at: number): number {
  let n = 0;
  let i = at;
  for (; i < data.length; i++) {
    const c = data[i]!;
    if (c < 48 || c > 57) break;
    n = n * 10 + (c - 48);
  }
  return i === at ? -1 : n;
}

interface Pair {
  index: number;
  visitor?: Client;
  agent?: Client;
  conversationId?: string;
  /** Position among the pairs that carry traffic (message n goes to slot n % active.length); -1 if none. */
  slot: number;
}

/** Open-loop relay run: see RelayConfig. Latency is always measured from the scheduled send time. */
export async function runRelay(cfg: RelayConfig, log: (line: string) => void): Promise<RelayResult> {
  const runId = crypto.randomBytes(4).toString('hex'); // clientIds stay unique when pairs are reused across runs
  const rate = cfg.ratePerSecond;
  const interval = 1000 / rate;
  const total = Math.max(0, Math.floor(((cfg.warmupMs + cfg.durationMs) * rate) / 1000));
  const warm = Math.min(total, Math.floor((cfg.warmupMs * rate) / 1000));
  const recv = new Uint8Array(total);
  const acked = new Uint8Array(total);
  const sentFlag = new Uint8Array(total);
  const e2e = new LatencyRecorder();
  const ack = new LatencyRecorder();
  const errors: Record<string, number> = {};
  const count = (code: string) => void (errors[code] = (errors[code] ?? 0) + 1);
  let start = 0;
  let activeCount = 0;
  let sentAll = 0;
  let receivedAll = 0;
  let ackedAll = 0;
  let duplicated = 0;
  let foreign = 0;
  let finished = false;
  const warmups = new Map<string, (conversationId: string | undefined) => void>();

  const onAck = (n: number) => {
    if (!(n >= 0 && n < total) || acked[n]) return;
    acked[n] = 1;
    ackedAll++;
    if (n >= warm) ack.recordMs(now() - (start + n * interval));
  };
  const onVisitorFrame = (f: Frame) => {
    if (f.type === 'message.ack') {
      const id = String(f.clientId);
      if (id.charCodeAt(0) !== 99 /* c */) return warmups.get(id)?.(conversationIdOf(f));
      onAck(parseInt(id.slice(1), 10));
    } else if (f.type === 'error') {
      count(String(f.code ?? 'error'));
      if (typeof f.clientId === 'string') warmups.get(f.clientId)?.(undefined);
    }
  };
  const onCreated = (pair: Pair, n: number) => {
    if (!(n >= 0 && n < total)) return;
      // Agents sharing a tenant see each other's messages: only the pair's own agent counts.
      if (n % activeCount !== pair.slot) return void foreign++;
      if (recv[n] === 0) {
        recv[n] = 1;
        receivedAll++;
        const ms = now() - (start + n * interval);
        if (n >= warm) e2e.recordMs(ms);
        if (trace) (trace.recv++, (trace.e2eMax = Math.max(trace.e2eMax, ms)));
      } else {
        duplicated++;
        if (recv[n]! < 255) recv[n]!++;
      }
  };
  let lastAgentFrameAt = 0;
  const onAgentFrame = (pair: Pair, f: Frame) => {
    lastAgentFrameAt = now();
    if (f.type === 'message.created') {
      const body = (f.message as { body?: unknown } | undefined)?.body;
      if (typeof body !== 'string' || !body.startsWith('{"n":')) return; // warm-up or someone else's message
      onCreated(pair, parseInt(body.slice(5), 10));
    } else if (f.type === 'error') {
      count(String(f.code ?? 'error'));
    }
  };

  // ---- connect: agent first, then visitor, bounded concurrency, round-robin bind addresses
  const t0 = now();
  const nextAddress = addressCycler(cfg.bindAddresses);
  let failedConnections = 0;
  const open = async (url: string, role: string) => {
    try {
      const c = await connect(cfg.protocol, url, { localAddress: nextAddress(), timeoutMs: CONNECT_TIMEOUT_MS });
      c.onClose = (reason) => void (finished || count(`closed:${role}:${reason}`));
      return c;
    } catch (err) {
      failedConnections++;
      count(`connect:${err instanceof ConnectError ? err.reason : 'error'}`);
      return undefined;
    }
  };
  const pairs: Pair[] = cfg.pairs.map((_, index) => ({ index, slot: -1 }));
  await pool(cfg.pairs, cfg.connectConcurrency ?? 200, async (spec, i) => {
    const pair = pairs[i]!;
    const agent = await open(spec.agent, 'agent');
    if (!agent) return;
    pair.agent = agent;
    agent.onFrame = (f) => onAgentFrame(pair, f);
    agent.onRaw = (data) => {
      if (!startsWith(data, CREATED_PREFIX)) return false;
      const at = data.indexOf(BODY_MARK, CREATED_PREFIX.length);
      if (at < 0) return false;
      onCreated(pair, digitsAt(data, at + BODY_MARK.length));
      return true;
    };
    const visitor = await open(spec.visitor, 'visitor');
    if (!visitor) return;
    pair.visitor = visitor;
    visitor.onFrame = onVisitorFrame;
    visitor.onRaw = (data) => {
      if (!startsWith(data, ACK_PREFIX)) return false;
      onAck(digitsAt(data, ACK_PREFIX.length));
      return true;
    };
    if (cfg.protocol === 'hub') visitor.ignorePrefix = Buffer.from('{"type":"message.created"');
  });
  log(`connected ${pairs.filter((p) => p.visitor).length}/${pairs.length} pairs in ${Math.round(now() - t0)} ms (${failedConnections} failed connections)`);

  // ---- hub: one warm-up message per visitor creates its conversation
  if (cfg.protocol === 'hub') {
    await pool(pairs.filter((p) => p.visitor), cfg.connectConcurrency ?? 200, async (p) => {
      const id = `w${p.index}-${runId}`;
      const conversationId = await new Promise<string | undefined>((resolve) => {
        const done = (c: string | undefined) => {
          clearTimeout(timer);
          warmups.delete(id);
          resolve(c);
        };
        const timer = setTimeout(() => (count('warmup:timeout'), done(undefined)), CONNECT_TIMEOUT_MS);
        warmups.set(id, done);
        if (!p.visitor!.send({ type: 'message.send', clientId: id, body: 'bench warm-up' })) done(undefined);
      });
      if (conversationId) p.conversationId = conversationId;
    });
    // A warm-up message sets off the hub's work after the ack (intent routing: a conversation's
    // first message is triaged, which updates the conversation and adds a note, all sent to the
    // agent). Measuring starts once agents have heard nothing for a while, or that work of a
    // thousand conversations at once lands in the first step's window.
    const settleFrom = now();
    lastAgentFrameAt = Math.max(lastAgentFrameAt, settleFrom);
    while (now() - lastAgentFrameAt < SETTLE_QUIET_MS && now() - settleFrom < SETTLE_MAX_MS) await sleep(50);
    log(`warm-up settled after ${Math.round(now() - settleFrom)} ms`);
  }
  const active = pairs.filter((p) => p.agent && p.visitor && (cfg.protocol !== 'hub' || p.conversationId));
  active.forEach((p, slot) => (p.slot = slot));
  activeCount = active.length;
  const connectMs = now() - t0;
  log(`${active.length} pairs ready after ${Math.round(connectMs)} ms; sending ${total} messages at ${rate}/s`);

  // ---- open-loop schedule: message n at start + n/rate, a timer loop that catches up
  let lagMax = 0;
  const lag = new LatencyRecorder();
  let sentMeasured = 0;
  let lastMeasuredSend = 0;
  let unsent = 0;
  // LOADGEN_TRACE=1: one stderr line per second (sent, received, worst e2e and send lag in that second).
  const trace = process.env.LOADGEN_TRACE === '1' ? { sent: 0, recv: 0, e2eMax: 0, lagMax: 0 } : undefined;
  const traceTimer = trace && setInterval(() => {
    log(`trace sent ${trace.sent} recv ${trace.recv} e2eMax ${trace.e2eMax.toFixed(1)} lagMax ${trace.lagMax.toFixed(1)}`);
    Object.assign(trace, { sent: 0, recv: 0, e2eMax: 0, lagMax: 0 });
  }, 1000);
  const sendOne = (n: number, scheduled: number) => {
    const p = active[n % activeCount]!;
    // The body is `{"n":N,"t":T}`, JSON-escaped into the frame; ids are safe to embed as they are.
    const body = `"{\\"n\\":${n},\\"t\\":${scheduled}}"`;
    const conv = p.conversationId ? `,"conversationId":${JSON.stringify(p.conversationId)}` : '';
    const text = `{"type":"message.send","clientId":"c${n}-${runId}"${conv},"body":${body}}`;
    const ok = p.visitor!.sendText ? p.visitor!.sendText(text) : p.visitor!.send(JSON.parse(text) as { type: string });
    if (!ok) return count('send:not-open');
    sentFlag[n] = 1;
    sentAll++;
    const t = now();
    if (trace) (trace.sent++, (trace.lagMax = Math.max(trace.lagMax, t - scheduled)));
    if (n >= warm) {
      if (t - scheduled > lagMax) lagMax = t - scheduled;
      lag.recordMs(t - scheduled);
      sentMeasured++;
      lastMeasuredSend = t;
    }
  };
  const cpuAtStart = process.cpuUsage();
  const serverCpu = () => (cfg.serverPids ?? []).reduce<number | undefined>((sum, pid) => (sum === undefined ? undefined : ((ms) => (ms === undefined ? undefined : sum + ms))(processCpuMs(pid))), 0);
  const serverAtStart = serverCpu();
  if (activeCount > 0 && total > 0) {
    start = now() + 20;
    const giveUpAt = start + 2 * (cfg.warmupMs + cfg.durationMs) + 1000;
    await new Promise<void>((resolve) => {
      let next = 0;
      const tick = () => {
        let t = now();
        while (next < total) {
          const s = start + next * interval;
          if (s > t) {
            t = now();
            if (s > t) break;
          }
          if (t > giveUpAt) {
            unsent = total - next;
            return resolve();
          }
          sendOne(next, s);
          next++;
        }
        if (next >= total) return resolve();
        setTimeout(tick, Math.max(0, start + next * interval - now()));
      };
      setTimeout(tick, Math.max(0, start - now()));
    });
  }
  if (unsent) log(`generator fell behind: ${unsent} messages not sent`);

  // ---- drain
  const pending = () => receivedAll < sentAll || ackedAll < sentAll;
  const drainUntil = now() + cfg.drainMs;
  while (now() < drainUntil && pending()) await sleep(10);
  // An overloaded step may still be delivering its backlog: keep waiting while anything
  // arrives (at most LATE_CAP_MS), so `lost` counts messages that never arrive, not late ones
  // (late ones stay in the latency histograms with their full delay).
  const lateCap = now() + LATE_CAP_MS;
  let progress = receivedAll + ackedAll;
  let lastProgressAt = now();
  while (pending() && now() < lateCap && now() - lastProgressAt < STALL_MS) {
    await sleep(50);
    if (receivedAll + ackedAll !== progress) {
      progress = receivedAll + ackedAll;
      lastProgressAt = now();
    }
  }
  finished = true;
  const cpu = process.cpuUsage(cpuAtStart);
  const serverAtEnd = serverCpu();
  log(`CPU per message sent: user ${(cpu.user / Math.max(1, sentAll)).toFixed(1)} µs, system ${(cpu.system / Math.max(1, sentAll)).toFixed(1)} µs`);
  if (traceTimer) clearInterval(traceTimer);

  let received = 0;
  let ackedMeasured = 0;
  for (let n = warm; n < total; n++) {
    if (!sentFlag[n]) continue;
    if (recv[n]) received++;
    if (acked[n]) ackedMeasured++;
  }
  for (const p of pairs) {
    p.visitor?.close();
    p.agent?.close();
  }
  const windowMs = Math.max(cfg.durationMs, lastMeasuredSend - (start + warm * interval));
  if (foreign) log(`${foreign} messages received by agents of other pairs (shared tenant), ignored`);
  return {
    kind: 'relay',
    protocol: cfg.protocol,
    pairs: cfg.pairs.length,
    pairsConnected: activeCount,
    failedConnections,
    targetRate: rate,
    achievedRate: windowMs > 0 ? Math.round((sentMeasured / windowMs) * 1000 * 10) / 10 : 0,
    sent: sentMeasured,
    received,
    acked: ackedMeasured,
    lost: sentMeasured - received,
    unacked: sentMeasured - ackedMeasured,
    duplicated,
    unsent,
    errors,
    e2e: e2e.summary(),
    ack: ack.summary(),
    connectMs: Math.round(connectMs),
    generatorLagMaxMs: Math.round(lagMax * 1000) / 1000,
    generatorLagP99Ms: lag.summary().p99,
    sentAll,
    loadgenCpuUsPerMessage: sentAll > 0 ? Math.round((cpu.user + cpu.system) / sentAll) : 0,
    ...(cfg.serverPids?.length && serverAtStart !== undefined && serverAtEnd !== undefined && sentAll > 0
      ? { serverCpuUsPerMessage: Math.round(((serverAtEnd - serverAtStart) * 1000) / sentAll) }
      : {}),
  };
}

function conversationIdOf(f: Frame): string | undefined {
  const id = (f.message as { conversationId?: unknown } | undefined)?.conversationId;
  return typeof id === 'string' ? id : undefined;
}
