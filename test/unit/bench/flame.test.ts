import { describe, expect, it } from 'vitest';
import { busyPerSecond, flameSvg, flameTree, frameLabel, type CpuProfile } from '../../../bench/lib/flame.js';

const frame = (functionName: string, url = '', lineNumber = 0) => ({ functionName, url, lineNumber });

/**
 * (root) ─┬─ (idle)
 *         ├─ handle  server/messages/store.js ─── query  node_modules/pg/lib/client.js
 *         └─ (garbage collector)
 * Samples every 100 ms over 2 s: second 0 busy in `query` 5 times and idle 5 times;
 * second 1 in `handle` 5 times, GC 2 times, idle 3 times.
 */
function profile(): CpuProfile {
  const nodes: CpuProfile['nodes'] = [
    { id: 1, callFrame: frame('(root)'), children: [2, 3, 5] },
    { id: 2, callFrame: frame('(idle)') },
    { id: 3, callFrame: frame('handle', 'file:///work/app/dist/server/messages/store.js', 41), children: [4] },
    { id: 4, callFrame: frame('query', 'file:///work/app/node_modules/pg/lib/client.js', 9) },
    { id: 5, callFrame: frame('(garbage collector)') },
  ];
  const samples = [4, 2, 4, 2, 4, 2, 4, 2, 4, 2, 3, 3, 3, 3, 3, 5, 5, 2, 2, 2];
  return { nodes, startTime: 0, endTime: 2_000_000, samples, timeDeltas: samples.map(() => 100_000) };
}

describe('flame graphs of CPU profiles', () => {
  it('labels frames with the function and a short path', () => {
    expect(frameLabel(frame('handle', 'file:///work/app/dist/server/messages/store.js', 41))).toBe('handle server/messages/store.js:42');
    expect(frameLabel(frame('query', 'file:///work/app/node_modules/pg/lib/client.js', 9))).toBe('query pg/lib/client.js:10');
    expect(frameLabel(frame('', 'node:net', 962))).toBe('(anonymous) node:net:963');
    expect(frameLabel(frame('(garbage collector)'))).toBe('(garbage collector)');
  });

  it('builds the call tree of busy time, leaving idle out', () => {
    const { root, windowUs } = flameTree(profile());
    expect(windowUs).toBe(2_000_000);
    expect(root.totalUs).toBe(1_200_000); // 12 busy samples of 100 ms
    const handle = root.children.get('handle server/messages/store.js:42')!;
    expect(handle.totalUs).toBe(1_000_000);
    expect(handle.children.get('query pg/lib/client.js:10')!.totalUs).toBe(500_000);
    expect(root.children.get('(garbage collector)')!.totalUs).toBe(200_000);
    expect([...root.children.keys()].some((k) => k.startsWith('(idle)'))).toBe(false);
  });

  it('counts only the samples inside the window', () => {
    const { root, windowUs } = flameTree(profile(), { fromS: 1, toS: 2 });
    expect(windowUs).toBe(1_000_000);
    expect(root.totalUs).toBe(700_000);
    expect(root.children.get('handle server/messages/store.js:42')!.children.size).toBe(0);
  });

  it('reports the busy share of every second', () => {
    expect(busyPerSecond(profile()).map((b) => Math.round(b * 100))).toEqual([50, 70]);
  });

  it('draws each frame as wide as its share, escapes names, and states the busy share', () => {
    const p = profile();
    p.nodes[3]!.callFrame.functionName = 'a<b>&"c"';
    const svg = flameSvg(flameTree(p), { title: 'hub <test>', width: 1020, minWidthPx: 0 });
    expect(svg).toContain('hub &#60;test&#62;');
    expect(svg).toContain('a&#60;b&#62;&#38;&#34;c&#34;');
    expect(svg).not.toMatch(/&(?!#\d+;)/); // every & starts an entity: the SVG is well-formed XML here
    expect(svg).toContain('busy 60.0 % of 2.00 s');
    // 1,000 px for 1.2 s on the CPU: `handle` 1.0 s is 833 px wide, `query` half of that.
    const widths = [...svg.matchAll(/<title>([^<]+)<\/title><rect x="[\d.]+" y="\d+" width="([\d.]+)"/g)].map(([, t, w]) => [t!.split(' ')[0], Number(w)]);
    expect(widths).toContainEqual(['handle', 832.83]);
    expect(widths).toContainEqual(['a&#60;b&#62;&#38;&#34;c&#34;', 416.17]);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
  });
});
