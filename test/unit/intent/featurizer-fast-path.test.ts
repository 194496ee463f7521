import { describe, expect, it } from 'vitest';
import { DEFAULT_FEATURIZER, featureStrings, featurize, fnv1a, type FeaturizerConfig } from '../../../server/intent/featurizer.js';
import { seededRandom } from '../../../server/intent/random.js';

/** The featurizer's definition, spelled out: hash every feature string, count, 1 + ln(count), unit L2 norm. */
function reference(text: string, config: FeaturizerConfig): Map<number, number> {
  const counts = new Map<number, number>();
  for (const f of featureStrings(text, config)) counts.set(fnv1a(f) % config.buckets, (counts.get(fnv1a(f) % config.buckets) ?? 0) + 1);
  const norm = Math.sqrt([...counts.values()].reduce((s, c) => s + (1 + Math.log(c)) ** 2, 0));
  return new Map([...counts].map(([k, c]) => [k, (1 + Math.log(c)) / norm]));
}

function expectSame(text: string, config: FeaturizerConfig): void {
  const fast = featurize(text, config);
  const ref = reference(text, config);
  expect([...fast.indices], JSON.stringify(text)).toEqual([...ref.keys()].sort((a, b) => a - b));
  fast.indices.forEach((idx, i) => expect(fast.weights[i]).toBeCloseTo(ref.get(idx)!, 6));
}

const SAMPLES = [
  '',
  'Where is my order #123?',
  'I want a REFUND, please!!! refund refund',
  '我忘记密码了，登录不了',
  'Café déjà vu — naïve coöperation',
  'emoji 😀 and astral 𝒳 characters 𠜎',
  "don't   stop\tme\nnow",
  'x'.repeat(500),
];

describe('featurize (the allocation-free serving path)', () => {
  it('equals hashing every feature string, for the default settings and others', () => {
    const configs: FeaturizerConfig[] = [DEFAULT_FEATURIZER, { buckets: 1 << 10, charMinN: 1, charMaxN: 3, wordBigrams: false }, { ...DEFAULT_FEATURIZER, buckets: 1 << 15 }];
    for (const config of configs) for (const text of SAMPLES) expectSame(text, config);
  });

  it('equals it on random Unicode text', () => {
    const rand = seededRandom(7);
    const pick = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo));
    for (let n = 0; n < 500; n++) {
      let text = '';
      const len = pick(0, 40);
      for (let i = 0; i < len; i++) {
        const r = rand();
        const cp = r < 0.5 ? pick(0x20, 0x7f) : r < 0.7 ? pick(0x4e00, 0x9fff) : r < 0.8 ? 0x20 : r < 0.9 ? pick(0xc0, 0x2af) : pick(0x1f300, 0x1f64f);
        text += String.fromCodePoint(cp);
      }
      expectSame(text, DEFAULT_FEATURIZER);
    }
  });
});
