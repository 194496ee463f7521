import ort from 'onnxruntime-node';
import { z } from 'zod';
import { AppError } from '../errors.js';
import { argmax } from './classifier.js';
import { MODEL_FORMAT, MODEL_FORMAT_VERSION, openSession, parseManifest, type IntentPrediction, type IntentPredictor, type ModelFiles } from './model.js';
import { parseVocab, WordPieceTokenizer, type Encoding } from './wordpiece.js';

const manifestSchema = z.object({
  format: z.literal(MODEL_FORMAT),
  version: z.literal(MODEL_FORMAT_VERSION),
  kind: z.literal('transformer'),
  labels: z
    .array(z.string().min(1))
    .min(2)
    .refine((labels) => new Set(labels).size === labels.length, 'labels must be unique'),
  tokenizer: z.object({
    lowercase: z.boolean(),
    stripAccents: z.boolean().optional(),
    // [CLS] and [SEP] take two positions; BERT-base has 512.
    maxLength: z.number().int().min(3).max(8192),
  }),
  output: z.enum(['logits', 'probabilities']).optional(),
  inputNames: z
    .object({ inputIds: z.string().min(1).optional(), attentionMask: z.string().min(1).optional(), tokenTypeIds: z.string().min(1).optional() })
    .optional(),
  outputName: z.string().min(1).optional(),
});

/**
 * `model.json` of a transformer model. `output` says what the graph's output holds (default
 * `logits`, softmaxed here); `inputNames` and `outputName` rename the graph's tensors when the
 * export did not use the HF names (`input_ids`, `attention_mask`, `token_type_ids`; first output).
 */
export type TransformerManifest = z.infer<typeof manifestSchema>;

/** Texts per inference call: attention is quadratic in length, so huge batches run in slices. */
const MAX_BATCH = 32;

function validateManifest(raw: Record<string, unknown>): TransformerManifest {
  const r = manifestSchema.safeParse(raw);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  throw new AppError('SB_ERR_VALIDATION', `model.json (transformer): ${issue.path.join('.') || 'manifest'}: ${issue.message}`);
}

function softmax(logits: ArrayLike<number>): Float64Array {
  const out = new Float64Array(logits.length);
  let max = -Infinity;
  for (let k = 0; k < logits.length; k++) max = Math.max(max, logits[k]!);
  let sum = 0;
  for (let k = 0; k < logits.length; k++) sum += out[k] = Math.exp(logits[k]! - max);
  for (let k = 0; k < out.length; k++) out[k]! /= sum;
  return out;
}

/** Packs encodings into `[batch, seq]` int64 tensors, padding each to the longest in the batch. */
function toTensors(batch: readonly Encoding[], padId: number): Record<keyof Encoding, ort.Tensor> {
  const seq = Math.max(...batch.map((e) => e.inputIds.length));
  const ids = new BigInt64Array(batch.length * seq).fill(BigInt(padId));
  const mask = new BigInt64Array(batch.length * seq);
  const types = new BigInt64Array(batch.length * seq);
  batch.forEach((e, b) => {
    e.inputIds.forEach((id, i) => {
      ids[b * seq + i] = BigInt(id);
      mask[b * seq + i] = BigInt(e.attentionMask[i]!);
      types[b * seq + i] = BigInt(e.tokenTypeIds[i]!);
    });
  });
  const dims = [batch.length, seq];
  return { inputIds: new ort.Tensor('int64', ids, dims), attentionMask: new ort.Tensor('int64', mask, dims), tokenTypeIds: new ort.Tensor('int64', types, dims) };
}

/**
 * A BERT-style sequence classifier exported to ONNX (e.g. a fine-tuned HF model via optimum),
 * with its WordPiece `vocab.txt`. Served through onnxruntime-node like the linear kind.
 */
export class TransformerIntentModel implements IntentPredictor {
  readonly kind = 'transformer';

  private constructor(
    readonly manifest: TransformerManifest,
    private readonly tokenizer: WordPieceTokenizer,
    private readonly session: ort.InferenceSession,
    /** Graph input name per encoding field; `tokenTypeIds` only when the graph declares it. */
    private readonly inputs: Partial<Record<keyof Encoding, string>>,
    private readonly outputName: string,
  ) {}

  /**
   * Loads `model.json`, `vocab.txt` and `model.onnx`. Throws `SB_ERR_VALIDATION` on a bad
   * manifest or vocabulary, a graph without the BERT inputs, or one that does not score one
   * class per label on a probe text; the session is released whenever loading fails.
   */
  static async fromFiles(files: ModelFiles, raw: Record<string, unknown> = parseManifest(files)): Promise<TransformerIntentModel> {
    const manifest = validateManifest(raw);
    const vocabBytes = files.get('vocab.txt');
    if (!vocabBytes?.length) throw new AppError('SB_ERR_VALIDATION', 'a transformer model needs its vocab.txt beside model.json');
    const { lowercase, stripAccents } = manifest.tokenizer;
    const tokenizer = new WordPieceTokenizer(parseVocab(Buffer.from(vocabBytes).toString('utf8')), stripAccents === undefined ? { lowercase } : { lowercase, stripAccents });

    const session = await openSession(files.get('model.onnx')!);
    try {
      const names = manifest.inputNames ?? {};
      const inputIds = names.inputIds ?? 'input_ids';
      const attentionMask = names.attentionMask ?? 'attention_mask';
      const tokenTypeIds = names.tokenTypeIds ?? 'token_type_ids';
      const fed = [inputIds, attentionMask, tokenTypeIds];
      const missing = [inputIds, attentionMask].filter((n) => !session.inputNames.includes(n));
      if (missing.length) throw new AppError('SB_ERR_VALIDATION', `model.onnx has no input ${missing.join(', ')} (its inputs: ${session.inputNames.join(', ')})`);
      const unknown = session.inputNames.filter((n) => !fed.includes(n));
      if (unknown.length) throw new AppError('SB_ERR_VALIDATION', `model.onnx needs inputs a text classifier cannot feed: ${unknown.join(', ')}`);
      const outputName = manifest.outputName ?? session.outputNames[0]!;
      if (!session.outputNames.includes(outputName)) throw new AppError('SB_ERR_VALIDATION', `model.onnx has no output ${outputName} (its outputs: ${session.outputNames.join(', ')})`);

      const inputs = session.inputNames.includes(tokenTypeIds) ? { inputIds, attentionMask, tokenTypeIds } : { inputIds, attentionMask };
      const model = new TransformerIntentModel(manifest, tokenizer, session, inputs, outputName);
      await model.probe();
      return model;
    } catch (err) {
      await session.release();
      throw err;
    }
  }

  get labels(): readonly string[] {
    return this.manifest.labels;
  }

  /** Runs one text so a graph with the wrong inputs, output type or class count is refused at load. */
  private async probe(): Promise<void> {
    const out = await this.run([this.tokenizer.encode('probe', this.manifest.tokenizer.maxLength)]).catch((err: Error) => {
      throw new AppError('SB_ERR_VALIDATION', `model.onnx does not run as a text classifier: ${err.message.split('\n')[0]}`);
    });
    if (out.type !== 'float32' || out.dims.length !== 2) {
      throw new AppError('SB_ERR_VALIDATION', `model.onnx output ${this.outputName} must be float32 [batch, classes], got ${out.type} [${out.dims.join(', ')}]`);
    }
    if (out.dims[1] !== this.labels.length) {
      throw new AppError('SB_ERR_VALIDATION', `model.onnx scores ${out.dims[1]} classes but model.json lists ${this.labels.length} labels`);
    }
  }

  private async run(batch: readonly Encoding[]): Promise<ort.Tensor> {
    const tensors = toTensors(batch, this.tokenizer.padId);
    const feeds: Record<string, ort.Tensor> = {};
    for (const [field, name] of Object.entries(this.inputs)) feeds[name] = tensors[field as keyof Encoding];
    const out = await this.session.run(feeds, [this.outputName]);
    return out[this.outputName] as ort.Tensor;
  }

  /** Class probabilities of each text, in `labels` order. */
  async probabilities(texts: readonly string[]): Promise<Float64Array[]> {
    const maxLength = this.manifest.tokenizer.maxLength;
    const c = this.labels.length;
    const result: Float64Array[] = [];
    for (let start = 0; start < texts.length; start += MAX_BATCH) {
      const slice = texts.slice(start, start + MAX_BATCH);
      const data = (await this.run(slice.map((t) => this.tokenizer.encode(t, maxLength)))).data as Float32Array;
      for (let b = 0; b < slice.length; b++) {
        const row = data.subarray(b * c, (b + 1) * c);
        result.push(this.manifest.output === 'probabilities' ? Float64Array.from(row) : softmax(row));
      }
    }
    return result;
  }

  /** The most likely intent of `text` and its probability. */
  async predict(text: string, options: { scores?: boolean } = {}): Promise<IntentPrediction> {
    const [prediction] = await this.predictBatch([text], options);
    return prediction!;
  }

  /** `predict` for many texts, batched (each batch padded to its longest text). */
  async predictBatch(texts: readonly string[], options: { scores?: boolean } = {}): Promise<IntentPrediction[]> {
    return (await this.probabilities(texts)).map((probs) => {
      const best = argmax(probs);
      const prediction: IntentPrediction = { intent: this.labels[best]!, confidence: probs[best]! };
      if (options.scores) prediction.scores = Object.fromEntries(this.labels.map((l, k) => [l, probs[k]!]));
      return prediction;
    });
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
