import { describe, expect, it } from 'vitest';
import { seededRandom, stratifiedSplit } from '../../../server/intent/random.js';

describe('seeded randomness', () => {
  it('repeats a sequence for a seed and differs across seeds', () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    const c = seededRandom(8);
    const seqA = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(seqA);
    expect([c(), c(), c()]).not.toEqual(seqA);
    for (const v of seqA) expect(v >= 0 && v < 1).toBe(true);
  });

  it('splits per label, deterministically, covering every row once', () => {
    const labels = [...Array(30).fill('a'), ...Array(10).fill('b'), 'c'];
    const s1 = stratifiedSplit(labels, 0.2, 3);
    const s2 = stratifiedSplit(labels, 0.2, 3);
    expect(s1).toEqual(s2);
    expect([...s1.train, ...s1.validation].sort((x, y) => x - y)).toEqual(labels.map((_, i) => i));
    const valLabels = s1.validation.map((i) => labels[i]);
    expect(valLabels.filter((l) => l === 'a')).toHaveLength(6);
    expect(valLabels.filter((l) => l === 'b')).toHaveLength(2);
    expect(valLabels).not.toContain('c'); // a one-row label stays in training
    expect(stratifiedSplit(labels, 0.2, 4).validation).not.toEqual(s1.validation);
  });
});
