import { LinearIntentClassifier, softmaxInPlace } from './classifier.js';
import type { Features } from './featurizer.js';
import { seededRandom, shuffleInPlace } from './random.js';

/** Training settings; defaults in `DEFAULT_TRAINING`. */
export interface TrainingOptions {
  /** Passes over the training rows. Default 30. */
  epochs: number;
  /** Rows per gradient step. Default 16. */
  batchSize: number;
  /** AdaGrad base learning rate. Default 0.5. */
  learningRate: number;
  /** L2 penalty, applied lazily to the rows a batch touches (and to the bias). Default 1e-5. */
  l2: number;
  /** Seed for the row order; the same seed and data give the same model. Default 1. */
  seed: number;
}

export const DEFAULT_TRAINING: TrainingOptions = { epochs: 30, batchSize: 16, learningRate: 0.5, l2: 1e-5, seed: 1 };

/** One training example: featurized text and the index of its label. */
export interface Example {
  features: Features;
  label: number;
}

/**
 * Trains a `LinearIntentClassifier` with mini-batch AdaGrad on the cross-entropy loss.
 * Sparse: a step touches only the hashed rows present in its batch. Deterministic for a seed
 * (no Math.random, fixed iteration order).
 */
export function trainClassifier(
  examples: readonly Example[],
  labels: readonly string[],
  buckets: number,
  options: Partial<TrainingOptions> = {},
): LinearIntentClassifier {
  const opts: TrainingOptions = { ...DEFAULT_TRAINING, ...options };
  if (!Number.isInteger(opts.epochs) || opts.epochs < 1) throw new Error('epochs must be a positive integer');
  if (!Number.isInteger(opts.batchSize) || opts.batchSize < 1) throw new Error('batchSize must be a positive integer');
  const model = LinearIntentClassifier.zeros(labels, buckets);
  const c = labels.length;
  const { weights, bias } = model;
  const gradSq = new Float32Array(weights.length);
  const biasGradSq = new Float64Array(c);
  const random = seededRandom(opts.seed);
  const order = examples.map((_, i) => i);
  const probs = new Float64Array(c);
  const biasGrad = new Float64Array(c);
  const rowGrads = new Map<number, Float64Array>();
  const eps = 1e-8;

  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    shuffleInPlace(order, random);
    for (let start = 0; start < order.length; start += opts.batchSize) {
      const end = Math.min(order.length, start + opts.batchSize);
      rowGrads.clear();
      biasGrad.fill(0);
      for (let b = start; b < end; b++) {
        const { features, label } = examples[order[b]!]!;
        softmaxInPlace(model.logits(features, probs));
        probs[label]! -= 1;
        for (let k = 0; k < c; k++) biasGrad[k]! += probs[k]!;
        for (let i = 0; i < features.indices.length; i++) {
          const idx = features.indices[i]!;
          const w = features.weights[i]!;
          let g = rowGrads.get(idx);
          if (!g) rowGrads.set(idx, (g = new Float64Array(c)));
          for (let k = 0; k < c; k++) g[k]! += w * probs[k]!;
        }
      }
      const scale = 1 / (end - start);
      // Map iteration follows insertion order, which follows the (seeded) batch order.
      for (const [idx, g] of rowGrads) {
        const row = idx * c;
        for (let k = 0; k < c; k++) {
          const grad = g[k]! * scale + opts.l2 * weights[row + k]!;
          gradSq[row + k]! += grad * grad;
          weights[row + k]! -= (opts.learningRate * grad) / (Math.sqrt(gradSq[row + k]!) + eps);
        }
      }
      for (let k = 0; k < c; k++) {
        const grad = biasGrad[k]! * scale + opts.l2 * bias[k]!;
        biasGradSq[k]! += grad * grad;
        bias[k]! -= (opts.learningRate * grad) / (Math.sqrt(biasGradSq[k]!) + eps);
      }
    }
  }
  return model;
}
