import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../../widget/src/core/backoff.js';

describe('backoffDelay', () => {
  it('retries the first time within 0.3–1 s', () => {
    expect(backoffDelay(0, () => 0)).toBe(300);
    expect(backoffDelay(0, () => 1)).toBe(1000);
    expect(backoffDelay(0, () => 0.5)).toBe(650);
  });

  it('doubles the window per attempt', () => {
    expect(backoffDelay(1, () => 1)).toBe(2000);
    expect(backoffDelay(2, () => 1)).toBe(4000);
    expect(backoffDelay(3, () => 0)).toBe(2400);
  });

  it('never waits longer than the cap, however many attempts failed', () => {
    for (const attempt of [4, 10, 100, 10_000]) {
      expect(backoffDelay(attempt, () => 1)).toBe(10_000);
      expect(backoffDelay(attempt, () => 0)).toBe(3000);
    }
  });

  it('spreads clients over the window (jitter)', () => {
    let i = 0;
    const randoms = [0.1, 0.4, 0.7, 0.95];
    const delays = randoms.map(() => backoffDelay(2, () => randoms[i++]!));
    expect(new Set(delays).size).toBe(4);
    for (const d of delays) expect(d).toBeGreaterThanOrEqual(1200);
  });

  it('clamps odd inputs', () => {
    expect(backoffDelay(-3, () => 1)).toBe(1000);
    expect(backoffDelay(0, () => 7)).toBe(1000);
    expect(backoffDelay(1, () => 1, { baseMs: 100, capMs: 150 })).toBe(150);
  });
});
