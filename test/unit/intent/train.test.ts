import { describe, expect, it } from 'vitest';
import { argmax } from '../../../server/intent/classifier.js';
import { DEFAULT_FEATURIZER, featurize } from '../../../server/intent/featurizer.js';
import { trainClassifier } from '../../../server/intent/train.js';
import { syntheticIntents } from './synthetic.js';

const config = { ...DEFAULT_FEATURIZER, buckets: 1 << 12 };

function examples() {
  const data = syntheticIntents();
  const labels = [...new Set(data.labels)].sort();
  return { labels, examples: data.texts.map((t, i) => ({ features: featurize(t, config), label: labels.indexOf(data.labels[i]!) })) };
}

describe('intent training', () => {
  it('is deterministic for a seed and depends on it', () => {
    const { labels, examples: ex } = examples();
    const a = trainClassifier(ex, labels, config.buckets, { epochs: 5, seed: 11 });
    const b = trainClassifier(ex, labels, config.buckets, { epochs: 5, seed: 11 });
    const c = trainClassifier(ex, labels, config.buckets, { epochs: 5, seed: 12 });
    expect(Buffer.from(a.weights.buffer).equals(Buffer.from(b.weights.buffer))).toBe(true);
    expect(Array.from(a.bias)).toEqual(Array.from(b.bias));
    expect(Buffer.from(a.weights.buffer).equals(Buffer.from(c.weights.buffer))).toBe(false);
  });

  it('fits the training set and generalizes to unseen wording', () => {
    const { labels, examples: ex } = examples();
    const model = trainClassifier(ex, labels, config.buckets, { epochs: 10 });
    const correct = ex.filter((e) => argmax(model.probabilities(e.features)) === e.label).length;
    expect(correct).toBe(ex.length);
    const guess = (text: string) => labels[argmax(model.probabilities(featurize(text, config)))];
    expect(guess('my red card has not arrived yet')).toBe('card_arrival');
    expect(guess('please refund me')).toBe('refund');
    expect(guess('密码忘了怎么办')).toBe('password');
  });

  it('rejects nonsense options', () => {
    const { labels, examples: ex } = examples();
    expect(() => trainClassifier(ex, labels, config.buckets, { epochs: 0 })).toThrow(/epochs/);
  });
});
