/**
 * Open-loop HTTP load for history reads: request i is due at start + i/rate whether or not
 * earlier ones have answered, and its latency runs from that scheduled time, so a stalled
 * server (or client) shows up as latency instead of silently lowering the offered rate.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import * as hdr from 'hdr-histogram-js';
import type { LatencySummary } from './types.js';

/** One history read and the page it must return. */
export interface HistoryRequest {
  conversationId: string;
  token: string;
  /** `undefined`: the default page (newest 50); else `?before=<seq>`. */
  before: number | undefined;
  /** Expected seqs first..last (contiguous; last < first means empty), and whether older ones exist. */
  first: number;
  last: number;
  more: boolean;
}

export interface PhaseResult {
  latency: LatencySummary;
  ok: number;
  errors: number;
  /** Responses whose body was checked, and how many of those were wrong (also counted in errors). */
  verified: number;
  wrong: number;
  problems: string[];
  achievedRate: number;
}

const HIGHEST_US = 60_000_000;
const TIMEOUT_MS = 10_000;
const PAGE = 50;

/** The page a request must return: newest `PAGE` before `before` (or of the whole log). */
export function expectedPage(conversationId: string, token: string, lastSeq: number, before?: number): HistoryRequest {
  const last = before === undefined ? lastSeq : Math.min(lastSeq, before - 1);
  const first = Math.max(1, last - PAGE + 1);
  return { conversationId, token, before, first, last, more: first > 1 };
}

/** Checks a response body against the expected page; returns a problem or undefined. */
function check(req: HistoryRequest, body: string): string | undefined {
  const page = JSON.parse(body) as { items: { seq: number; conversationId: string }[]; nextCursor: string | null };
  const want = Math.max(0, req.last - req.first + 1);
  if (page.items.length !== want) return `${req.conversationId}: ${page.items.length} items, want ${want}`;
  for (let i = 0; i < page.items.length; i++) {
    const m = page.items[i]!;
    if (m.seq !== req.first + i || m.conversationId !== req.conversationId) return `${req.conversationId}: item ${i} has seq ${m.seq}, want ${req.first + i}`;
  }
  const cursor = req.more ? `before:${req.first}` : null;
  if (page.nextCursor !== cursor) return `${req.conversationId}: nextCursor ${page.nextCursor}, want ${cursor}`;
  return undefined;
}

export interface HttpTarget {
  host: string;
  port: number;
  agent: http.Agent;
}

export function httpTarget(baseUrl: string): HttpTarget {
  const u = new URL(baseUrl);
  return { host: u.hostname, port: Number(u.port), agent: new http.Agent({ keepAlive: true, maxSockets: 128 }) };
}

/** GETs one page; resolves with the status and body text. */
export function fetchPage(t: HttpTarget, r: HistoryRequest): Promise<{ status: number; body: string }> {
  const path = `/api/v1/conversations/${r.conversationId}/messages${r.before === undefined ? '' : `?before=${r.before}`}`;
  return new Promise((resolve, reject) => {
    const req = http.get({ host: t.host, port: t.port, path, agent: t.agent, headers: { authorization: `Bearer ${r.token}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.setTimeout(TIMEOUT_MS, () => req.destroy(new Error(`timeout after ${TIMEOUT_MS} ms`)));
    req.on('error', reject);
  });
}

/** Reads each request once, `concurrency` at a time, checking every page (no timing). */
export async function readAll(t: HttpTarget, requests: HistoryRequest[], concurrency = 8): Promise<string[]> {
  const problems: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < requests.length) {
      const r = requests[next++]!;
      try {
        const res = await fetchPage(t, r);
        const p = res.status === 200 ? check(r, res.body) : `${r.conversationId}: HTTP ${res.status} ${res.body.slice(0, 200)}`;
        if (p) problems.push(p);
      } catch (err) {
        problems.push(`${r.conversationId}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return problems;
}

/**
 * Sends `requests` in order at `rate` per second (open loop). Every `verifyEvery`-th response
 * body is checked (seqs contiguous, right count, right cursor); every status is checked.
 */
export async function runOpenLoop(t: HttpTarget, requests: HistoryRequest[], rate: number, verifyEvery = 5): Promise<PhaseResult> {
  const h = hdr.build({ bitBucketSize: 32, autoResize: false, lowestDiscernibleValue: 1, highestTrackableValue: HIGHEST_US, numberOfSignificantValueDigits: 3 });
  const res: PhaseResult = { latency: { p50: 0, p90: 0, p99: 0, max: 0, count: 0 }, ok: 0, errors: 0, verified: 0, wrong: 0, problems: [], achievedRate: 0 };
  const problem = (p: string) => {
    res.errors++;
    if (res.problems.length < 10) res.problems.push(p);
  };
  const interval = 1000 / rate;
  const start = performance.now() + 20;
  let lastDone = start;
  const pending = new Set<Promise<void>>();
  const fire = (i: number, due: number) => {
    const r = requests[i]!;
    const p = fetchPage(t, r).then(
      ({ status, body }) => {
        const done = performance.now();
        lastDone = Math.max(lastDone, done);
        if (status !== 200) return problem(`${r.conversationId}: HTTP ${status} ${body.slice(0, 200)}`);
        const us = Math.round((done - due) * 1000);
        h.recordValue(us < 1 ? 1 : us > HIGHEST_US ? HIGHEST_US : us);
        res.ok++;
        if (i % verifyEvery === 0) {
          res.verified++;
          const wrong = check(r, body);
          if (wrong) {
            res.wrong++;
            problem(wrong);
          }
        }
      },
      (err: unknown) => problem(`${r.conversationId}: ${err instanceof Error ? err.message : String(err)}`),
    );
    pending.add(p);
    void p.finally(() => pending.delete(p));
  };
  let i = 0;
  while (i < requests.length) {
    const now = performance.now();
    while (i < requests.length && start + i * interval <= now) {
      fire(i, start + i * interval);
      i++;
    }
    if (i < requests.length) await sleep(Math.max(0, start + i * interval - performance.now()));
  }
  await Promise.all([...pending]);
  const ms = (us: number) => Math.round(us) / 1000;
  if (h.totalCount > 0) {
    res.latency = {
      p50: ms(h.getValueAtPercentile(50)),
      p90: ms(h.getValueAtPercentile(90)),
      p99: ms(h.getValueAtPercentile(99)),
      max: ms(h.maxValue),
      count: h.totalCount,
    };
  }
  res.achievedRate = Math.round((res.ok / Math.max(0.001, (lastDone - start) / 1000)) * 10) / 10;
  return res;
}
