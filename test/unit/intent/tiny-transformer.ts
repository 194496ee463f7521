import onnxProto from 'onnx-proto';
import { seededRandom } from '../../../server/intent/random.js';

const { onnx } = onnxProto;
const { FLOAT, INT64 } = onnx.TensorProto.DataType;
const { INT, INTS } = onnx.AttributeProto.AttributeType;

/**
 * A tiny BERT-shaped classifier for tests: token + position (+ token type) embeddings, one
 * single-head self-attention block with the attention mask as a -10000 bias and a residual,
 * a Tanh layer, a masked mean pool and a linear head → `[batch, classes]`. `forward` computes
 * the same graph in float64 TypeScript, so the served output can be checked against it.
 */
export interface TinyTransformerOptions {
  /** `vocab.txt` lines; ids are line numbers. */
  vocab: readonly string[];
  classes: number;
  /** Tokens whose embedding pushes a class (by index), so known texts get known intents. */
  keywords: Readonly<Record<string, number>>;
  /** Declare a `token_type_ids` input (default true); BERT exports have it, DistilBERT ones do not. */
  tokenTypes?: boolean;
  /** Graph outputs in order (default `['logits']`); `probabilities` is a Softmax of the logits. */
  outputs?: readonly ('logits' | 'probabilities')[];
  /** Graph input names (default the HF ones). */
  inputNames?: { inputIds?: string; attentionMask?: string; tokenTypeIds?: string };
  seed?: number;
}

export const HIDDEN = 8;
export const MAX_POSITIONS = 64;

/** The weights, row-major, as float32-rounded numbers so TypeScript sees what the graph holds. */
export interface TinyTransformer {
  options: TinyTransformerOptions;
  word: Float32Array; // [vocab, HIDDEN]
  position: Float32Array; // [MAX_POSITIONS, HIDDEN]
  type: Float32Array; // [2, HIDDEN]
  wq: Float32Array;
  wk: Float32Array;
  wv: Float32Array; // [HIDDEN, HIDDEN]
  w1: Float32Array;
  b1: Float32Array; // [HIDDEN, HIDDEN], [HIDDEN]
  wOut: Float32Array;
  bOut: Float32Array; // [HIDDEN, classes], [classes]
}

/**
 * Deterministic small weights; a keyword adds 4 on its class's hidden unit, which the head reads
 * with weight 8. The value projection stays small so attention does not smear a keyword across units.
 */
export function tinyTransformer(options: TinyTransformerOptions): TinyTransformer {
  if (options.classes > HIDDEN) throw new Error(`at most ${HIDDEN} classes`);
  const random = seededRandom(options.seed ?? 11);
  const noise = (n: number, scale: number) => Float32Array.from({ length: n }, () => (random() * 2 - 1) * scale);
  const d = HIDDEN;
  const c = options.classes;
  const word = noise(options.vocab.length * d, 0.1);
  options.vocab.forEach((token, id) => {
    const k = options.keywords[token];
    if (k !== undefined) word[id * d + k]! += 4;
  });
  const w1 = noise(d * d, 0.05);
  for (let i = 0; i < d; i++) w1[i * d + i]! += 1;
  const wOut = noise(d * c, 0.05);
  for (let k = 0; k < c; k++) wOut[k * c + k]! += 8;
  return {
    options,
    word,
    position: noise(MAX_POSITIONS * d, 0.05),
    type: noise(2 * d, 0.05),
    wq: noise(d * d, 0.3),
    wk: noise(d * d, 0.3),
    wv: noise(d * d, 0.05),
    w1,
    b1: noise(d, 0.05),
    wOut,
    bOut: noise(c, 0.05),
  };
}

function floats(name: string, dims: number[], values: Float32Array): onnxProto.onnx.ITensorProto {
  return { name, dims, dataType: FLOAT, floatData: Array.from(values) };
}

function tensorType(elemType: number, dims: (number | string)[]): onnxProto.onnx.ITypeProto {
  return { tensorType: { elemType, shape: { dim: dims.map((x) => (typeof x === 'number' ? { dimValue: x } : { dimParam: x })) } } };
}

/** Serializes the model as ONNX (IR 8, opset 13). */
export function tinyTransformerOnnx(m: TinyTransformer): Uint8Array {
  const { vocab, classes: c, tokenTypes = true, outputs = ['logits'], inputNames = {} } = m.options;
  const d = HIDDEN;
  const ids = inputNames.inputIds ?? 'input_ids';
  const mask = inputNames.attentionMask ?? 'attention_mask';
  const types = inputNames.tokenTypeIds ?? 'token_type_ids';
  const node = (opType: string, input: string[], output: string, attribute: onnxProto.onnx.IAttributeProto[] = []) => ({ opType, input, output: [output], name: output, attribute });
  const graph: onnxProto.onnx.IGraphProto = {
    name: 'tiny_transformer',
    initializer: [
      floats('word', [vocab.length, d], m.word),
      floats('position', [MAX_POSITIONS, d], m.position),
      ...(tokenTypes ? [floats('type', [2, d], m.type)] : []),
      floats('wq', [d, d], m.wq),
      floats('wk', [d, d], m.wk),
      floats('wv', [d, d], m.wv),
      floats('w1', [d, d], m.w1),
      floats('b1', [d], m.b1),
      floats('w_out', [d, c], m.wOut),
      floats('b_out', [c], m.bOut),
      floats('scale', [], Float32Array.of(1 / Math.sqrt(d))),
      floats('one_f', [], Float32Array.of(1)),
      floats('minus_10000', [], Float32Array.of(-10000)),
      { name: 'zero', dims: [], dataType: INT64, int64Data: [0] },
      { name: 'one', dims: [], dataType: INT64, int64Data: [1] },
      { name: 'axis_1', dims: [1], dataType: INT64, int64Data: [1] },
      { name: 'axis_2', dims: [1], dataType: INT64, int64Data: [2] },
    ],
    node: [
      node('Gather', ['word', ids], 'tokens'),
      // Position ids 0..seq-1 from the input's shape, as BERT's position_ids buffer does.
      node('Shape', [ids], 'shape'),
      node('Gather', ['shape', 'one'], 'seq_len', [{ name: 'axis', type: INT, i: 0 }]),
      node('Range', ['zero', 'seq_len', 'one'], 'position_ids'),
      node('Gather', ['position', 'position_ids'], 'positions'),
      node('Add', ['tokens', 'positions'], tokenTypes ? 'x0' : 'x'),
      ...(tokenTypes ? [node('Gather', ['type', types], 'type_rows'), node('Add', ['x0', 'type_rows'], 'x')] : []),
      node('Cast', [mask], 'mask_f', [{ name: 'to', type: INT, i: FLOAT }]),
      node('MatMul', ['x', 'wq'], 'q'),
      node('MatMul', ['x', 'wk'], 'k'),
      node('MatMul', ['x', 'wv'], 'v'),
      node('Transpose', ['k'], 'k_t', [{ name: 'perm', type: INTS, ints: [0, 2, 1] }]),
      node('MatMul', ['q', 'k_t'], 'qk'),
      node('Mul', ['qk', 'scale'], 'scores'),
      // Padding keys get -10000 before the softmax, so they receive no attention.
      node('Sub', ['one_f', 'mask_f'], 'not_mask'),
      node('Mul', ['not_mask', 'minus_10000'], 'mask_bias'),
      node('Unsqueeze', ['mask_bias', 'axis_1'], 'mask_bias_3d'),
      node('Add', ['scores', 'mask_bias_3d'], 'masked_scores'),
      node('Softmax', ['masked_scores'], 'attention', [{ name: 'axis', type: INT, i: -1 }]),
      node('MatMul', ['attention', 'v'], 'context'),
      node('Add', ['x', 'context'], 'h'),
      node('MatMul', ['h', 'w1'], 'h1'),
      node('Add', ['h1', 'b1'], 'h2'),
      node('Tanh', ['h2'], 'h3'),
      node('Unsqueeze', ['mask_f', 'axis_2'], 'mask_3d'),
      node('Mul', ['h3', 'mask_3d'], 'h_masked'),
      node('ReduceSum', ['h_masked', 'axis_1'], 'h_sum', [{ name: 'keepdims', type: INT, i: 0 }]),
      node('ReduceSum', ['mask_f', 'axis_1'], 'count', [{ name: 'keepdims', type: INT, i: 1 }]),
      node('Div', ['h_sum', 'count'], 'pooled'),
      node('MatMul', ['pooled', 'w_out'], 'head'),
      node('Add', ['head', 'b_out'], 'logits'),
      ...(outputs.includes('probabilities') ? [node('Softmax', ['logits'], 'probabilities', [{ name: 'axis', type: INT, i: -1 }])] : []),
    ],
    input: [
      { name: ids, type: tensorType(INT64, ['batch', 'seq']) },
      { name: mask, type: tensorType(INT64, ['batch', 'seq']) },
      ...(tokenTypes ? [{ name: types, type: tensorType(INT64, ['batch', 'seq']) }] : []),
    ],
    output: outputs.map((name) => ({ name, type: tensorType(FLOAT, ['batch', c]) })),
  };
  const model = onnx.ModelProto.create({ irVersion: 8, producerName: 'switchboard-test', opsetImport: [{ domain: '', version: 13 }], graph });
  return onnx.ModelProto.encode(model).finish();
}

function matmul(a: number[][], w: Float32Array, cols: number): number[][] {
  return a.map((row) => Array.from({ length: cols }, (_, j) => row.reduce((s, v, i) => s + v * w[i * cols + j]!, 0)));
}

/** The graph's logits for one encoded text (no padding needed: padding is masked out). */
export function forward(m: TinyTransformer, inputIds: readonly number[], tokenTypeIds?: readonly number[]): number[] {
  const d = HIDDEN;
  const useTypes = m.options.tokenTypes ?? true;
  const x = inputIds.map((id, p) =>
    Array.from({ length: d }, (_, j) => m.word[id * d + j]! + m.position[p * d + j]! + (useTypes ? m.type[(tokenTypeIds?.[p] ?? 0) * d + j]! : 0)),
  );
  const [q, k, v] = [m.wq, m.wk, m.wv].map((w) => matmul(x, w, d)) as [number[][], number[][], number[][]];
  const h = q.map((qi, i) => {
    const scores = k.map((kj) => qi.reduce((s, val, t) => s + val * kj[t]!, 0) / Math.sqrt(d));
    const max = Math.max(...scores);
    const exp = scores.map((s) => Math.exp(s - max));
    const sum = exp.reduce((s, e) => s + e, 0);
    return x[i]!.map((xi, t) => xi + exp.reduce((s, e, j) => s + (e / sum) * v[j]![t]!, 0));
  });
  const hidden = matmul(h, m.w1, d).map((row) => row.map((val, j) => Math.tanh(val + m.b1[j]!)));
  const pooled = Array.from({ length: d }, (_, j) => hidden.reduce((s, row) => s + row[j]!, 0) / hidden.length);
  return matmul([pooled], m.wOut, m.options.classes)[0]!.map((val, k) => val + m.bOut[k]!);
}

/** Numerically stable softmax. */
export function softmax(logits: readonly number[]): number[] {
  const max = Math.max(...logits);
  const exp = logits.map((l) => Math.exp(l - max));
  const sum = exp.reduce((s, e) => s + e, 0);
  return exp.map((e) => e / sum);
}

/** A small uncased vocabulary covering the test texts (English, accents, Chinese). */
export const TINY_VOCAB = [
  '[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]',
  'i', 'want', 'a', 'my', 'the', 'is', 'where', 'has', 'not', 'please', 'to', 'me', 'of', 'it',
  'card', 'arrived', 'refund', 'money', 'back', 'password', 'reset', 'forgot', 'cafe',
  '##s', '##ed', '##ing', '!', '?', '.', ',',
  '我', '的', '卡', '到', '了', '吗', '退', '款', '密', '码', '忘',
];

export const TINY_LABELS = ['card_arrival', 'password_reset', 'refund'];

/** Which class each keyword token pushes. */
export const TINY_KEYWORDS: Record<string, number> = {
  card: 0, arrived: 0, 卡: 0, 到: 0,
  password: 1, reset: 1, forgot: 1, 密: 1, 码: 1,
  refund: 2, money: 2, 退: 2, 款: 2,
};

/** A transformer model directory's files: `model.json`, `model.onnx` and `vocab.txt`. */
export function tinyModelFiles(
  model: TinyTransformer,
  manifest: Record<string, unknown> = {},
): Map<string, Uint8Array> {
  const json = { format: 'switchboard-intent', version: 1, kind: 'transformer', labels: TINY_LABELS, tokenizer: { lowercase: true, maxLength: 16 }, ...manifest };
  return new Map([
    ['model.json', Buffer.from(JSON.stringify(json, null, 2))],
    ['model.onnx', tinyTransformerOnnx(model)],
    ['vocab.txt', Buffer.from(`${model.options.vocab.join('\n')}\n`)],
  ]);
}
