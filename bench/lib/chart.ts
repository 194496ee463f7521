import type { RelayTargetResult } from '../relay.js';

const COLORS = ['#888888', '#d08c00', '#1f77b4', '#2ca02c', '#9467bd', '#d62728'];
const esc = (s: string) => s.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * An SVG line chart of p99 end-to-end latency (log scale) against offered rate, one line per
 * target, with the pass limit drawn across.
 */
export function relayChart(results: RelayTargetResult[], p99LimitMs: number): string {
  const W = 760;
  const H = 420;
  const m = { l: 70, r: 230, t: 40, b: 50 };
  const points = results.flatMap((r) => r.steps.map((s) => ({ x: s.targetRate, y: Math.max(0.05, s.e2e.p99) })));
  const maxX = Math.max(1, ...points.map((p) => p.x));
  const minY = 0.05;
  const maxY = Math.max(p99LimitMs * 4, ...points.map((p) => p.y));
  const sx = (x: number) => m.l + (x / maxX) * (W - m.l - m.r);
  const sy = (y: number) => m.t + (1 - (Math.log10(y) - Math.log10(minY)) / (Math.log10(maxY) - Math.log10(minY))) * (H - m.t - m.b);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${m.l}" y="22" font-size="14">p99 end-to-end latency vs offered rate (log scale)</text>`,
    `<line x1="${m.l}" y1="${H - m.b}" x2="${W - m.r}" y2="${H - m.b}" stroke="black"/>`,
    `<line x1="${m.l}" y1="${m.t}" x2="${m.l}" y2="${H - m.b}" stroke="black"/>`,
  ];
  for (const y of [0.1, 1, 10, 100, 1000, 10000].filter((v) => v >= minY && v <= maxY)) {
    out.push(`<line x1="${m.l}" y1="${sy(y)}" x2="${W - m.r}" y2="${sy(y)}" stroke="#eee"/><text x="${m.l - 8}" y="${sy(y) + 4}" text-anchor="end">${y} ms</text>`);
  }
  for (let i = 0; i <= 4; i++) {
    const x = (maxX * i) / 4;
    out.push(`<text x="${sx(x)}" y="${H - m.b + 18}" text-anchor="middle">${Math.round(x)}</text>`);
  }
  out.push(`<text x="${(m.l + W - m.r) / 2}" y="${H - 12}" text-anchor="middle">offered rate (messages/s)</text>`);
  out.push(`<line x1="${m.l}" y1="${sy(p99LimitMs)}" x2="${W - m.r}" y2="${sy(p99LimitMs)}" stroke="red" stroke-dasharray="4 4"/><text x="${W - m.r - 4}" y="${sy(p99LimitMs) - 4}" text-anchor="end" fill="red">${p99LimitMs} ms limit</text>`);
  results.forEach((r, i) => {
    const color = COLORS[i % COLORS.length]!;
    const pts = r.steps.map((s) => `${sx(s.targetRate).toFixed(1)},${sy(Math.max(minY, s.e2e.p99)).toFixed(1)}`);
    if (pts.length) out.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.join(' ')}"/>`);
    r.steps.forEach((s) => out.push(`<circle cx="${sx(s.targetRate)}" cy="${sy(Math.max(minY, s.e2e.p99))}" r="3" fill="${color}"/>`));
    out.push(`<rect x="${W - m.r + 12}" y="${m.t + i * 22}" width="12" height="12" fill="${color}"/><text x="${W - m.r + 30}" y="${m.t + i * 22 + 10}">${esc(r.target)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}
