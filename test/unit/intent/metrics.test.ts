import { describe, expect, it } from 'vitest';
import { classificationMetrics, quantile } from '../../../server/intent/metrics.js';

describe('intent metrics', () => {
  it('computes accuracy and macro-F1', () => {
    // a: tp 1, fn 1 → F1 2/3; b: tp 1, fp 1 → F1 2/3; c: tp 1 → F1 1.
    const m = classificationMetrics(['a', 'a', 'b', 'c'], ['a', 'b', 'b', 'c']);
    expect(m.n).toBe(4);
    expect(m.accuracy).toBe(0.75);
    expect(m.macroF1).toBeCloseTo((2 / 3 + 2 / 3 + 1) / 3, 10);
  });

  it('takes nearest-rank quantiles', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(quantile(values, 0.5)).toBe(50);
    expect(quantile(values, 0.99)).toBe(99);
    expect(quantile([], 0.5)).toBe(0);
  });
});
