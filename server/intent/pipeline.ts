import { argmax } from './classifier.js';
import { DEFAULT_FEATURIZER, featurize, type FeaturizerConfig } from './featurizer.js';
import { classificationMetrics } from './metrics.js';
import { MODEL_FORMAT, MODEL_FORMAT_VERSION, type ModelManifest } from './model.js';
import { exportOnnx } from './onnx.js';
import { stratifiedSplit } from './random.js';
import { DEFAULT_TRAINING, trainClassifier, type TrainingOptions } from './train.js';
import type { LabelledTexts } from './dataset.js';
import type { LinearIntentClassifier } from './classifier.js';

/** What `trainIntentModel` takes beyond the data. */
export interface TrainIntentOptions extends Partial<TrainingOptions> {
  /** Share of each label held out for validation (seeded, stratified). Default 0.1; 0 trains on all. */
  valSplit?: number;
  featurizer?: Partial<FeaturizerConfig>;
}

/** A trained model ready to write: classifier, ONNX bytes, manifest and the held-out rows. */
export interface TrainedIntentModel {
  classifier: LinearIntentClassifier;
  onnx: Uint8Array;
  manifest: ModelManifest;
  validation: LabelledTexts;
  trainMs: number;
}

/**
 * Splits `data` (seeded, stratified), trains on the training part, scores the validation part
 * with the TypeScript forward pass and exports ONNX. Deterministic for a given seed.
 */
export function trainIntentModel(data: LabelledTexts, options: TrainIntentOptions = {}): TrainedIntentModel {
  const { valSplit = 0.1, featurizer: featurizerOverrides, ...trainingOverrides } = options;
  if (!(valSplit >= 0 && valSplit < 1)) throw new Error('valSplit must be in [0, 1)');
  const training: TrainingOptions = { ...DEFAULT_TRAINING, ...trainingOverrides };
  const featurizer: FeaturizerConfig = { ...DEFAULT_FEATURIZER, ...featurizerOverrides };
  const labels = [...new Set(data.labels)].sort();
  const labelIndex = new Map(labels.map((l, i) => [l, i]));
  const split = stratifiedSplit(data.labels, valSplit, training.seed);
  const started = performance.now();
  const examples = split.train.map((row) => ({ features: featurize(data.texts[row]!, featurizer), label: labelIndex.get(data.labels[row]!)! }));
  const classifier = trainClassifier(examples, labels, featurizer.buckets, training);
  const trainMs = performance.now() - started;
  const validation: LabelledTexts = { texts: split.validation.map((r) => data.texts[r]!), labels: split.validation.map((r) => data.labels[r]!) };
  const predicted = validation.texts.map((t) => labels[argmax(classifier.probabilities(featurize(t, featurizer)))]!);
  const manifest: ModelManifest = {
    format: MODEL_FORMAT,
    version: MODEL_FORMAT_VERSION,
    labels,
    featurizer,
    training: { ...training, valSplit, trainRows: split.train.length, validationRows: split.validation.length },
    metrics: validation.texts.length ? classificationMetrics(validation.labels, predicted) : null,
  };
  return { classifier, onnx: exportOnnx(classifier), manifest, validation, trainMs };
}
