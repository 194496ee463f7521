import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ort from 'onnxruntime-node';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadIntentModel, loadIntentModelFiles, type IntentPredictor } from '../../../server/intent/model.js';
import { TransformerIntentModel } from '../../../server/intent/transformer.js';
import { parseVocab, WordPieceTokenizer } from '../../../server/intent/wordpiece.js';
import { forward, softmax, TINY_KEYWORDS, TINY_LABELS, TINY_VOCAB, tinyModelFiles, tinyTransformer, tinyTransformerOnnx, type TinyTransformerOptions } from './tiny-transformer.js';

const MAX_LENGTH = 16;
// Different lengths (so the batch is padded), Chinese, unknown words, and one longer than MAX_LENGTH.
const TEXTS = [
  'I want a refund',
  'where is my card?',
  'I forgot my password!!',
  '我的卡到了吗',
  '退款',
  '',
  'Zebra quux',
  'please, please give me my money back, it is not the card I wanted and it has not arrived',
];
const tokenizer = new WordPieceTokenizer(parseVocab(TINY_VOCAB.join('\n')), { lowercase: true });

function model(options: Partial<TinyTransformerOptions> = {}) {
  return tinyTransformer({ vocab: TINY_VOCAB, classes: TINY_LABELS.length, keywords: TINY_KEYWORDS, ...options });
}

/** The probabilities the TypeScript re-computation of the graph gives for `text`. */
function expected(m: ReturnType<typeof model>, text: string): number[] {
  return softmax(forward(m, tokenizer.encode(text, MAX_LENGTH).inputIds));
}

function expectClose(actual: ArrayLike<number>, wanted: readonly number[]): void {
  expect(actual.length).toBe(wanted.length);
  wanted.forEach((w, k) => expect(Math.abs(actual[k]! - w)).toBeLessThanOrEqual(1e-5));
}

describe('TransformerIntentModel', () => {
  const tiny = model();
  let served: TransformerIntentModel;

  beforeAll(async () => {
    served = (await loadIntentModelFiles(tinyModelFiles(tiny))) as TransformerIntentModel;
  });
  afterAll(() => served.close());

  it('loads through loadIntentModelFiles as the transformer kind', () => {
    expect(served).toBeInstanceOf(TransformerIntentModel);
    expect(served.kind).toBe('transformer');
    expect(served.labels).toEqual(TINY_LABELS);
  });

  it('computes the same raw logits as the TypeScript forward pass (≤ 1e-5), padding masked out', async () => {
    const session = await ort.InferenceSession.create(tinyTransformerOnnx(tiny));
    try {
      const enc = TEXTS.map((t) => tokenizer.encode(t, MAX_LENGTH, { pad: true }));
      const tensor = (key: 'inputIds' | 'attentionMask' | 'tokenTypeIds') =>
        new ort.Tensor('int64', BigInt64Array.from(enc.flatMap((e) => e[key].map(BigInt))), [TEXTS.length, MAX_LENGTH]);
      const out = await session.run({ input_ids: tensor('inputIds'), attention_mask: tensor('attentionMask'), token_type_ids: tensor('tokenTypeIds') });
      const logits = out['logits']!.data as Float32Array;
      enc.forEach((e, b) => expectClose(logits.subarray(b * 3, b * 3 + 3), forward(tiny, e.inputIds.filter((_, i) => e.attentionMask[i]))));
    } finally {
      await session.release();
    }
  });

  it('serves softmaxed probabilities matching the re-computation, for a batch and one by one', async () => {
    const batch = await served.probabilities(TEXTS);
    TEXTS.forEach((t, i) => expectClose(batch[i]!, expected(tiny, t)));
    for (const t of TEXTS) expectClose((await served.probabilities([t]))[0]!, expected(tiny, t));
    // More texts than one inference call takes: every slice still lines up with its text.
    const many = Array.from({ length: 70 }, (_, i) => TEXTS[i % TEXTS.length]!);
    (await served.probabilities(many)).forEach((p, i) => expectClose(p, expected(tiny, many[i]!)));
    expect(await served.predictBatch([])).toEqual([]);
  });

  it('predicts the intent a keyword pushes, with scores that sum to 1', async () => {
    const cases: [string, string][] = [
      ['I want a refund', 'refund'],
      ['where is my card?', 'card_arrival'],
      ['I forgot my password!!', 'password_reset'],
      ['我的卡到了吗', 'card_arrival'],
      ['退款', 'refund'],
      ['密码忘了', 'password_reset'],
    ];
    const predictions = await served.predictBatch(cases.map(([t]) => t), { scores: true });
    expect(predictions.map((p) => p.intent)).toEqual(cases.map(([, intent]) => intent));
    for (const p of predictions) {
      const scores = Object.values(p.scores!);
      expect(scores.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 6);
      expect(p.confidence).toBe(Math.max(...scores));
    }
    expect(await served.predict('I want a refund')).toEqual({ intent: 'refund', confidence: predictions[0]!.confidence });
  });
});

describe('TransformerIntentModel graph variants', () => {
  const opened: IntentPredictor[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((m) => m.close()));
  });
  async function serve(files: Map<string, Uint8Array>): Promise<IntentPredictor> {
    const m = await loadIntentModelFiles(files);
    opened.push(m);
    return m;
  }

  it('serves a graph without a token_type_ids input (DistilBERT-style exports)', async () => {
    const tiny = model({ tokenTypes: false });
    const served = await serve(tinyModelFiles(tiny));
    const p = await served.predict('I want a refund', { scores: true });
    expectClose(Object.values(p.scores!), expected(tiny, 'I want a refund'));
  });

  it('takes a probabilities output as is, and a named output among several', async () => {
    const tiny = model({ outputs: ['probabilities', 'logits'] });
    const first = await serve(tinyModelFiles(tiny, { output: 'probabilities' }));
    const named = await serve(tinyModelFiles(tiny, { outputName: 'logits' }));
    for (const served of [first, named]) {
      const p = await served.predict('where is my card?', { scores: true });
      expectClose(Object.values(p.scores!), expected(tiny, 'where is my card?'));
    }
  });

  it('uses the input names model.json gives', async () => {
    const inputNames = { inputIds: 'ids', attentionMask: 'mask', tokenTypeIds: 'segments' };
    const tiny = model({ inputNames });
    const served = await serve(tinyModelFiles(tiny, { inputNames }));
    expectClose(Object.values((await served.predict('退款', { scores: true })).scores!), expected(tiny, '退款'));
  });

  it('loads from a model directory with loadIntentModel', async () => {
    const tiny = model();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-transformer-'));
    try {
      for (const [name, bytes] of tinyModelFiles(tiny)) fs.writeFileSync(path.join(dir, name), bytes);
      const served = await loadIntentModel(dir);
      opened.push(served);
      expect(served.kind).toBe('transformer');
      expect((await served.predict('I forgot my password')).intent).toBe('password_reset');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('TransformerIntentModel refuses a bad model with SB_ERR_VALIDATION', () => {
  const tiny = model();
  // Typed as a factory, ort.InferenceSession is a class at runtime; every session shares its release.
  const sessionClass = ort.InferenceSession as unknown as { prototype: ort.InferenceSession };
  const release = vi.spyOn(sessionClass.prototype, 'release');
  afterEach(() => release.mockClear());
  afterAll(() => release.mockRestore());

  async function refused(files: Map<string, Uint8Array>, message: RegExp): Promise<void> {
    await expect(loadIntentModelFiles(files)).rejects.toMatchObject({ code: 'SB_ERR_VALIDATION', message: expect.stringMatching(message) });
  }

  it('without vocab.txt, or with one lacking a special token', async () => {
    const files = tinyModelFiles(tiny);
    files.delete('vocab.txt');
    await refused(files, /needs its vocab\.txt/);
    const noPad = tinyModelFiles(tiny);
    noPad.set('vocab.txt', Buffer.from(TINY_VOCAB.map((t) => (t === '[PAD]' ? 'pad' : t)).join('\n')));
    await refused(noPad, /lacks the special token\(s\) \[PAD\]/);
  });

  it('with bad labels, tokenizer settings or output settings in model.json', async () => {
    await refused(tinyModelFiles(tiny, { labels: ['refund'] }), /labels/);
    await refused(tinyModelFiles(tiny, { labels: ['refund', 'refund', 'card'] }), /labels must be unique/);
    await refused(tinyModelFiles(tiny, { tokenizer: { lowercase: true, maxLength: 2 } }), /tokenizer\.maxLength/);
    await refused(tinyModelFiles(tiny, { tokenizer: { maxLength: 16 } }), /tokenizer\.lowercase/);
    await refused(tinyModelFiles(tiny, { output: 'softmax' }), /output/);
    await refused(tinyModelFiles(tiny, { version: 2 }), /version/);
  });

  it('with corrupt ONNX bytes', async () => {
    const files = tinyModelFiles(tiny);
    files.set('model.onnx', Buffer.from('this is not a protobuf model'));
    await refused(files, /model\.onnx could not be loaded/);
  });

  it('with a graph that lacks input_ids, or an output model.json names, releasing the session', async () => {
    await refused(tinyModelFiles(model({ inputNames: { inputIds: 'ids' } })), /model\.onnx has no input input_ids \(its inputs: ids, attention_mask, token_type_ids\)/);
    expect(release).toHaveBeenCalledTimes(1);
    await refused(tinyModelFiles(tiny, { outputName: 'pooled' }), /model\.onnx has no output pooled/);
    expect(release).toHaveBeenCalledTimes(2);
  });

  it('with a graph scoring a different number of classes than labels, releasing the session', async () => {
    await refused(tinyModelFiles(tiny, { labels: [...TINY_LABELS, 'human_agent'] }), /scores 3 classes but model\.json lists 4 labels/);
    expect(release).toHaveBeenCalledTimes(1);
  });
});
