import fs from 'node:fs';
import path from 'node:path';
import ort from 'onnxruntime-node';
import { AppError } from '../errors.js';
import { argmax } from './classifier.js';
import { featurize, type Features, type FeaturizerConfig } from './featurizer.js';
import { INTENT_IO } from './onnx.js';

/** The format tag and version written into every `model.json`. */
export const MODEL_FORMAT = 'switchboard-intent';
export const MODEL_FORMAT_VERSION = 1;

/** `model.json`: everything serving needs besides the graph, plus how the model was made. */
export interface ModelManifest {
  format: typeof MODEL_FORMAT;
  version: typeof MODEL_FORMAT_VERSION;
  /** Output order of the graph's class axis. */
  labels: string[];
  featurizer: FeaturizerConfig;
  training: Record<string, unknown>;
  /** Held-out validation metrics, or null when trained without a validation split. */
  metrics: { n: number; accuracy: number; macroF1: number } | null;
}

/** One prediction. `scores` maps every label to its probability (only when asked for). */
export interface IntentPrediction {
  intent: string;
  confidence: number;
  scores?: Record<string, number>;
}

/** Writes `model.onnx` and `model.json` into `dir` (created when missing). */
export function writeModelDir(dir: string, onnxBytes: Uint8Array, manifest: ModelManifest): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'model.onnx'), onnxBytes);
  fs.writeFileSync(path.join(dir, 'model.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}

/** Whether an int64's low 32-bit word comes first in memory (it does on every platform Node runs on here). */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Packs feature lists into `[batch, n]` tensors, padding with index 0 and weight 0.
 * The int64 indices are written as two 32-bit words each, not through a `BigInt` per element.
 * Fresh buffers every call: `session.run` reads its inputs only on a later tick, so a shared
 * buffer could be overwritten by the next message before the previous one ran.
 */
export function toTensors(batch: readonly Features[]): { indices: ort.Tensor; weights: ort.Tensor } {
  let n = 1;
  for (const f of batch) if (f.indices.length > n) n = f.indices.length;
  const indices = new BigInt64Array(batch.length * n);
  const weights = new Float32Array(batch.length * n);
  const words = new Int32Array(indices.buffer);
  const low = LITTLE_ENDIAN ? 0 : 1;
  for (let b = 0; b < batch.length; b++) {
    const f = batch[b]!;
    const row = b * n;
    for (let i = 0; i < f.indices.length; i++) {
      const index = f.indices[i]!;
      words[2 * (row + i) + low] = index;
      if (index < 0) words[2 * (row + i) + 1 - low] = -1; // sign-extend (an index is never negative in practice)
    }
    weights.set(f.weights, row);
  }
  return { indices: new ort.Tensor('int64', indices, [batch.length, n]), weights: new ort.Tensor('float32', weights, [batch.length, n]) };
}

/** What routing needs from a loaded model, whatever its kind (hashed n-gram linear or transformer). */
export interface IntentPredictor {
  readonly kind: string;
  readonly labels: readonly string[];
  predict(text: string, options?: { scores?: boolean }): Promise<IntentPrediction>;
  predictBatch(texts: readonly string[], options?: { scores?: boolean }): Promise<IntentPrediction[]>;
  close(): Promise<void>;
}

/** A model directory's files by name, as read from disk or received in an upload. */
export type ModelFiles = ReadonlyMap<string, Uint8Array>;

/** The files a model directory may hold: every kind needs the first two; transformers add a vocabulary. */
export const MODEL_FILE_NAMES = ['model.json', 'model.onnx', 'vocab.txt'] as const;

/** Reads the model files of `dir`. Throws `SB_ERR_NOT_FOUND` when it is not a model directory. */
export function readModelDir(dir: string): ModelFiles {
  const files = new Map<string, Uint8Array>();
  for (const name of MODEL_FILE_NAMES) {
    const file = path.join(dir, name);
    if (fs.existsSync(file) && fs.statSync(file).isFile()) files.set(name, fs.readFileSync(file));
  }
  if (!files.has('model.json') || !files.has('model.onnx')) {
    throw new AppError('SB_ERR_NOT_FOUND', `${dir} is not a model directory (needs model.json and model.onnx)`);
  }
  return files;
}

/** Parses `model.json`; a missing or unreadable manifest is a clear `SB_ERR_VALIDATION`. */
export function parseManifest(files: ModelFiles): Record<string, unknown> {
  const bytes = files.get('model.json');
  if (!bytes) throw new AppError('SB_ERR_VALIDATION', 'a model needs model.json');
  if (!files.get('model.onnx')?.length) throw new AppError('SB_ERR_VALIDATION', 'a model needs a non-empty model.onnx');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (err) {
    throw new AppError('SB_ERR_VALIDATION', `model.json is not valid JSON: ${(err as Error).message}`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new AppError('SB_ERR_VALIDATION', 'model.json must hold a JSON object');
  return parsed as Record<string, unknown>;
}

/** Opens ONNX bytes for serving; a corrupt graph becomes a clear `SB_ERR_VALIDATION`. */
export async function openSession(onnx: Uint8Array): Promise<ort.InferenceSession> {
  try {
    // One intra-op thread: inference shares the box politely with the hub's event loop.
    return await ort.InferenceSession.create(onnx, { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' });
  } catch (err) {
    throw new AppError('SB_ERR_VALIDATION', `model.onnx could not be loaded: ${(err as Error).message.split('\n')[0]}`);
  }
}

/**
 * Loads a model from its files, by `model.json`'s `kind` (absent: the built-in linear kind).
 * Every kind checks on load that its graph runs and scores one probability per label, so a
 * corrupt or mismatched model is refused here instead of misrouting messages later.
 */
export async function loadIntentModelFiles(files: ModelFiles): Promise<IntentPredictor> {
  const manifest = parseManifest(files);
  const kind = manifest['kind'] ?? 'linear';
  switch (kind) {
    case 'linear':
      return IntentModel.fromFiles(files, manifest);
    case 'transformer':
      // Loaded on demand: transformer.ts imports this module, and only transformer models need it.
      return (await import('./transformer.js')).TransformerIntentModel.fromFiles(files, manifest);
    default:
      throw new AppError('SB_ERR_VALIDATION', `model.json has an unknown kind ${JSON.stringify(kind)} (supported: linear, transformer)`);
  }
}

/** `loadIntentModelFiles` for a directory on disk. */
export async function loadIntentModel(dir: string): Promise<IntentPredictor> {
  return loadIntentModelFiles(readModelDir(dir));
}

/** Messages of a few lengths (English and Chinese) run through a freshly loaded model. */
const WARM_UP_TEXTS = ['hi', 'where is my card?', 'I was charged twice for the same order 1234, please refund one of them', '我的卡丢了'];
const WARM_UP_ROUNDS = 32;

/**
 * A trained intent model served through onnxruntime-node (one intra-op thread, so it shares
 * the box politely). Load with `IntentModel.load(dir)`; `close()` releases the session.
 */
export class IntentModel implements IntentPredictor {
  readonly kind = 'linear';

  private constructor(
    readonly manifest: ModelManifest,
    private readonly session: ort.InferenceSession,
  ) {}

  /** Opens a model directory. Throws `SB_ERR_NOT_FOUND` or `SB_ERR_VALIDATION` on a bad one. */
  static async load(dir: string): Promise<IntentModel> {
    return IntentModel.fromFiles(readModelDir(dir));
  }

  static async fromFiles(files: ModelFiles, raw: Record<string, unknown> = parseManifest(files)): Promise<IntentModel> {
    const manifest = raw as unknown as ModelManifest;
    if (manifest.format !== MODEL_FORMAT || manifest.version !== MODEL_FORMAT_VERSION) {
      throw new AppError('SB_ERR_VALIDATION', `model.json is not a ${MODEL_FORMAT} v${MODEL_FORMAT_VERSION} manifest`);
    }
    if (!Array.isArray(manifest.labels) || manifest.labels.length < 2 || !manifest.labels.every((l) => typeof l === 'string' && l)) {
      throw new AppError('SB_ERR_VALIDATION', 'model.json needs at least two non-empty string labels');
    }
    const session = await openSession(files.get('model.onnx')!);
    const model = new IntentModel(manifest, session);
    const [probs] = await model.probabilities(['probe']).catch(async (err: Error) => {
      await session.release();
      throw new AppError('SB_ERR_VALIDATION', `model.onnx does not match the intent model inputs: ${err.message.split('\n')[0]}`);
    });
    if (probs!.length !== manifest.labels.length) {
      await session.release();
      throw new AppError('SB_ERR_VALIDATION', `model.onnx scores ${probs!.length} classes but model.json lists ${manifest.labels.length} labels`);
    }
    // Warm-up: the first calls run cold (unoptimized JavaScript, first allocations in the
    // session), so the first customer messages after a load would otherwise pay for them.
    for (let i = 0; i < WARM_UP_ROUNDS; i++) await model.predict(WARM_UP_TEXTS[i % WARM_UP_TEXTS.length]!);
    return model;
  }

  get labels(): readonly string[] {
    return this.manifest.labels;
  }

  /** Class probabilities of each text, in `labels` order (views into one output buffer). */
  async probabilities(texts: readonly string[]): Promise<Float32Array[]> {
    if (texts.length === 0) return [];
    const { indices, weights } = toTensors(texts.map((t) => featurize(t, this.manifest.featurizer)));
    const out = await this.session.run({ [INTENT_IO.indices]: indices, [INTENT_IO.weights]: weights }, [INTENT_IO.probabilities]);
    const data = out[INTENT_IO.probabilities]!.data as Float32Array;
    const c = this.labels.length;
    return texts.map((_, b) => data.subarray(b * c, (b + 1) * c));
  }

  /** The most likely intent of `text` and its probability. */
  async predict(text: string, options: { scores?: boolean } = {}): Promise<IntentPrediction> {
    const [probs] = await this.probabilities([text]);
    return this.toPrediction(probs!, options);
  }

  /** `predict` for many texts in one inference call. */
  async predictBatch(texts: readonly string[], options: { scores?: boolean } = {}): Promise<IntentPrediction[]> {
    return (await this.probabilities(texts)).map((probs) => this.toPrediction(probs, options));
  }

  private toPrediction(probs: Float32Array, options: { scores?: boolean }): IntentPrediction {
    const best = argmax(probs);
    const prediction: IntentPrediction = { intent: this.labels[best]!, confidence: probs[best]! };
    if (options.scores) prediction.scores = Object.fromEntries(this.labels.map((l, k) => [l, probs[k]!]));
    return prediction;
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
