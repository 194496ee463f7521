import type { Features } from './featurizer.js';

/**
 * A multinomial logistic regression on hashed features: an embedding bag whose embedding
 * dimension equals the number of classes. `weights` is `[buckets × labels]` row-major.
 */
export class LinearIntentClassifier {
  readonly classes: number;

  constructor(
    readonly labels: readonly string[],
    readonly buckets: number,
    readonly weights: Float32Array,
    readonly bias: Float32Array,
  ) {
    this.classes = labels.length;
    if (weights.length !== buckets * this.classes) throw new Error(`weights must hold ${buckets} × ${this.classes} values`);
    if (bias.length !== this.classes) throw new Error(`bias must hold ${this.classes} values`);
  }

  /** A model that predicts uniformly: all weights zero. */
  static zeros(labels: readonly string[], buckets: number): LinearIntentClassifier {
    return new LinearIntentClassifier(labels, buckets, new Float32Array(buckets * labels.length), new Float32Array(labels.length));
  }

  /** Logits: bias + Σ weight_i · row(index_i), written into `out` (allocated when omitted). */
  logits(features: Features, out: Float64Array = new Float64Array(this.classes)): Float64Array {
    const c = this.classes;
    for (let k = 0; k < c; k++) out[k] = this.bias[k]!;
    for (let i = 0; i < features.indices.length; i++) {
      const w = features.weights[i]!;
      const row = features.indices[i]! * c;
      for (let k = 0; k < c; k++) out[k]! += w * this.weights[row + k]!;
    }
    return out;
  }

  /** Softmax probabilities, the same function the exported ONNX graph computes. */
  probabilities(features: Features): Float64Array {
    return softmaxInPlace(this.logits(features));
  }
}

/** Numerically stable softmax, in place. */
export function softmaxInPlace(values: Float64Array): Float64Array {
  let max = -Infinity;
  for (const v of values) if (v > max) max = v;
  let sum = 0;
  for (let k = 0; k < values.length; k++) {
    values[k] = Math.exp(values[k]! - max);
    sum += values[k]!;
  }
  for (let k = 0; k < values.length; k++) values[k]! /= sum;
  return values;
}

/** Index of the largest value (the first one on ties). */
export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let k = 1; k < values.length; k++) if (values[k]! > values[best]!) best = k;
  return best;
}
