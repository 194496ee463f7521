/**
 * Flame graphs of V8 CPU profiles (the `.cpuprofile` files `node --cpu-prof` writes), as SVG.
 * Hand-written, like the relay chart: the npm `flamegraph` package reads only the pre-2016
 * profile format and writes SVG whose script attributes are not well-formed XML.
 */

export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** One frame of the merged call tree: time in µs spent in it and below it. */
export interface FlameNode {
  name: string;
  totalUs: number;
  children: Map<string, FlameNode>;
}

export interface FlameWindow {
  /** Seconds from the profile's start; default: the whole profile. */
  fromS?: number | undefined;
  toS?: number | undefined;
}

const IDLE = '(idle)';

/** `functionName file:line`, with paths shortened to what a reader recognises. */
export function frameLabel(frame: CpuProfile['nodes'][number]['callFrame']): string {
  const name = frame.functionName || '(anonymous)';
  if (!frame.url) return name;
  const url = frame.url
    .replace(/^file:\/\/.*?\/node_modules\//, '')
    .replace(/^file:\/\/.*?\/dist\//, '')
    .replace(/^file:\/\/.*?\/(server|bench|channels|plugins)\//, '$1/');
  return `${name} ${url}:${frame.lineNumber + 1}`;
}

/**
 * The call tree of the samples inside the window, idle time left out, with the frames of equal
 * label under the same parent merged. Also returns the window's length, for the busy share.
 */
export function flameTree(profile: CpuProfile, window: FlameWindow = {}): { root: FlameNode; windowUs: number } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const from = profile.startTime + (window.fromS ?? 0) * 1e6;
  const to = window.toS === undefined ? Infinity : profile.startTime + window.toS * 1e6;
  const root: FlameNode = { name: 'all', totalUs: 0, children: new Map() };
  let t = profile.startTime;
  let windowStart = Infinity;
  let windowEnd = -Infinity;
  for (let i = 0; i < profile.samples.length; i++) {
    // A sample stands for the time since the previous one: [t, t + dt) with t its predecessor's time.
    const dt = profile.timeDeltas[i] ?? 0;
    const start = t;
    t += dt;
    if (start < from || start >= to) continue;
    windowStart = Math.min(windowStart, start);
    windowEnd = t;
    const leaf = byId.get(profile.samples[i]!);
    if (!leaf || leaf.callFrame.functionName === IDLE) continue;
    const stack: string[] = [];
    for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
      const node = byId.get(id)!;
      if (parent.has(id)) stack.push(frameLabel(node.callFrame)); // the profile's own root is `all`
    }
    root.totalUs += dt;
    let at = root;
    for (let d = stack.length - 1; d >= 0; d--) {
      const name = stack[d]!;
      let child = at.children.get(name);
      if (!child) at.children.set(name, (child = { name, totalUs: 0, children: new Map() }));
      child.totalUs += dt;
      at = child;
    }
  }
  return { root, windowUs: windowEnd > windowStart ? windowEnd - windowStart : 0 };
}

const esc = (s: string) => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Where a frame's code lives, for its colour: ours, a dependency, Node itself, or the VM. */
function colour(name: string): string {
  if (name.startsWith('(')) return '#b0b0b0'; // (garbage collector), (program), (root)
  if (/ (server|channels|plugins|bench)\//.test(name)) return '#e8a33d';
  if (/ node:|^[^ ]+ [a-z_]+:\d+$/.test(name)) return '#7fa7d6'; // Node's own modules (node:net, timers…)
  if (!name.includes(' ')) return '#c97f7f'; // native, no script (writev, runMicrotasks…)
  return '#8fc98f'; // a dependency
}

export interface FlameSvgOptions {
  title: string;
  width?: number;
  /** Frames narrower than this many pixels are left out (their time stays in the parent). */
  minWidthPx?: number;
}

/**
 * Flame graph: the root at the bottom, each frame as wide as its share of the busy time,
 * callees stacked above their callers. Every frame has a tooltip (`<title>`) with its time and
 * share; names are written inside frames wide enough to hold them.
 */
export function flameSvg(tree: { root: FlameNode; windowUs: number }, opts: FlameSvgOptions): string {
  const width = opts.width ?? 1200;
  const minWidthPx = opts.minWidthPx ?? 0.3;
  const rowH = 16;
  const pad = 10;
  const headH = 44;
  const { root, windowUs } = tree;
  const scale = root.totalUs > 0 ? (width - 2 * pad) / root.totalUs : 0;
  const frames: { node: FlameNode; x: number; depth: number }[] = [];
  let maxDepth = 0;
  const place = (node: FlameNode, x: number, depth: number) => {
    frames.push({ node, x, depth });
    maxDepth = Math.max(maxDepth, depth);
    let cx = x;
    for (const child of [...node.children.values()].sort((a, b) => a.name.localeCompare(b.name))) {
      if (child.totalUs * scale >= minWidthPx) place(child, cx, depth + 1);
      cx += child.totalUs * scale;
    }
  };
  place(root, pad, 0);
  const height = headH + (maxDepth + 1) * rowH + pad;
  const busy = windowUs > 0 ? ` · busy ${((root.totalUs / windowUs) * 100).toFixed(1)} % of ${(windowUs / 1e6).toFixed(2)} s` : '';
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${pad}" y="18" font-size="14">${esc(opts.title)}</text>`,
    `<text x="${pad}" y="34" fill="#555">${esc(`${(root.totalUs / 1e3).toFixed(0)} ms on the CPU${busy}; width = share of that time; hover a frame for its numbers. Orange: Switchboard, green: dependencies, blue: Node, red: native, grey: VM`)}</text>`,
  ];
  for (const { node, x, depth } of frames) {
    const w = node.totalUs * scale;
    const y = height - pad - (depth + 1) * rowH;
    const share = root.totalUs > 0 ? (node.totalUs / root.totalUs) * 100 : 0;
    const label = `${node.name} — ${(node.totalUs / 1e3).toFixed(1)} ms, ${share.toFixed(1)} %`;
    const fits = Math.floor((w - 4) / 6.2);
    const text = fits >= 4 ? (node.name.length <= fits ? node.name : `${node.name.slice(0, fits - 1)}…`) : '';
    out.push(
      `<g><title>${esc(label)}</title><rect x="${x.toFixed(2)}" y="${y}" width="${Math.max(w - 0.5, 0.1).toFixed(2)}" height="${rowH - 1}" fill="${depth === 0 ? '#d8d8d8' : colour(node.name)}" rx="2"/>` +
        (text ? `<text x="${(x + 3).toFixed(2)}" y="${y + 11.5}">${esc(text)}</text>` : '') +
        `</g>`,
    );
  }
  out.push('</svg>');
  return out.join('\n');
}

/** Busy share of each whole second of the profile, to choose a window (e.g. one load step). */
export function busyPerSecond(profile: CpuProfile): number[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const total: number[] = [];
  const busy: number[] = [];
  let t = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i] ?? 0;
    const s = Math.floor(t / 1e6);
    t += dt;
    total[s] = (total[s] ?? 0) + dt;
    if (byId.get(profile.samples[i]!)?.callFrame.functionName !== IDLE) busy[s] = (busy[s] ?? 0) + dt;
  }
  return Array.from(total, (v, s) => (v ? (busy[s] ?? 0) / v : 0));
}
