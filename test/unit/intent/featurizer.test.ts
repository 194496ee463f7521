import { describe, expect, it } from 'vitest';
import { DEFAULT_FEATURIZER, featureStrings, featurize, fnv1a, normalizeText } from '../../../server/intent/featurizer.js';

describe('intent featurizer', () => {
  it('normalizes with NFKC, lower case and collapsed digits', () => {
    expect(normalizeText('Ｃａｒｄ ENDING 1234, code 7')).toBe('card ending 0, code 0');
  });

  it('hashes with 32-bit FNV-1a (published test vectors)', () => {
    expect(fnv1a('')).toBe(0x811c9dc5);
    expect(fnv1a('a')).toBe(0xe40c292c);
    expect(fnv1a('foobar')).toBe(0xbf9cf968);
  });

  it('emits word unigrams, bigrams with sentence boundaries and char n-grams inside words', () => {
    const f = featureStrings('Hi there');
    expect(f).toEqual(expect.arrayContaining(['w:hi', 'w:there', 'b:<s> hi', 'b:hi there', 'b:there </s>', 'c:<h', 'c:<hi>', 'c:the', 'c:ere>']));
    expect(f).not.toContain('c:i t'); // n-grams stop at word boundaries
  });

  it('turns Chinese text into character features without a segmenter', () => {
    const f = featureStrings('我的卡丢了');
    expect(f).toEqual(expect.arrayContaining(['c:卡', 'c:丢了', 'c:我的卡']));
    const features = featurize('我的卡丢了');
    expect(features.indices.length).toBeGreaterThan(10);
  });

  it('returns sorted, distinct, in-range indices with unit L2 norm, the same every time', () => {
    const config = { ...DEFAULT_FEATURIZER, buckets: 4096 };
    const a = featurize('My card, my card: still not here!', config);
    const b = featurize('My card, my card: still not here!', config);
    expect(Array.from(a.indices)).toEqual(Array.from(b.indices));
    expect(Array.from(a.weights)).toEqual(Array.from(b.weights));
    for (let i = 1; i < a.indices.length; i++) expect(a.indices[i]!).toBeGreaterThan(a.indices[i - 1]!);
    expect(Math.max(...a.indices)).toBeLessThan(4096);
    const norm = Math.sqrt(a.weights.reduce((s, w) => s + w * w, 0));
    expect(norm).toBeCloseTo(1, 5);
    // Digits are collapsed, so different numbers hash identically.
    expect(Array.from(featurize('order 123', config).indices)).toEqual(Array.from(featurize('order 98765', config).indices));
  });

  it('gives an empty text no features', () => {
    const f = featurize('  ?! ');
    expect(f.indices.length).toBe(0);
    expect(f.weights.length).toBe(0);
  });
});
