import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { featurize } from '../../../server/intent/featurizer.js';
import { IntentModel, toTensors, writeModelDir } from '../../../server/intent/model.js';
import { INTENT_IO } from '../../../server/intent/onnx.js';
import { trainIntentModel, type TrainedIntentModel } from '../../../server/intent/pipeline.js';
import { syntheticIntents } from './synthetic.js';

const texts = ['where is my card', 'REFUND 100 dollars!!', '密码忘了', '', 'a completely unrelated sentence about weather'];

describe('intent model: ONNX export and model directory', () => {
  let dir: string;
  let trained: TrainedIntentModel;
  let model: IntentModel;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-intent-'));
    trained = trainIntentModel(syntheticIntents(), { valSplit: 0.25, epochs: 8, seed: 5, featurizer: { buckets: 1 << 12 } });
    writeModelDir(dir, trained.onnx, trained.manifest);
    model = await IntentModel.load(dir);
  });

  afterAll(async () => {
    await model.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('computes the same logits and probabilities as the TypeScript forward pass (≤ 1e-5)', async () => {
    const session = await ort.InferenceSession.create(trained.onnx, { intraOpNumThreads: 1 });
    try {
      const features = texts.map((t) => featurize(t, trained.manifest.featurizer));
      // One padded batch: rows of different lengths exercise the zero-weight padding.
      const out = await session.run(toTensors(features));
      const logits = out[INTENT_IO.logits]!.data as Float32Array;
      const probs = out[INTENT_IO.probabilities]!.data as Float32Array;
      const c = trained.manifest.labels.length;
      features.forEach((f, b) => {
        const tsLogits = trained.classifier.logits(f);
        const tsProbs = trained.classifier.probabilities(f);
        for (let k = 0; k < c; k++) {
          expect(Math.abs(logits[b * c + k]! - tsLogits[k]!)).toBeLessThanOrEqual(1e-5);
          expect(Math.abs(probs[b * c + k]! - tsProbs[k]!)).toBeLessThanOrEqual(1e-5);
        }
      });
    } finally {
      await session.release();
    }
  });

  it('round-trips through model.onnx + model.json and predicts through the serving path', async () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
    expect(manifest).toEqual(trained.manifest);
    expect(manifest).toMatchObject({ format: 'switchboard-intent', version: 1, labels: ['card_arrival', 'password', 'refund'] });
    expect(manifest.metrics).toMatchObject({ n: trained.validation.texts.length });

    const single = await model.predict('my card has not arrived', { scores: true });
    expect(single.intent).toBe('card_arrival');
    const scores = Object.values(single.scores!);
    expect(scores.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 5);
    expect(single.confidence).toBe(Math.max(...scores));

    const batch = await model.predictBatch(texts);
    const one = await Promise.all(texts.map((t) => model.predict(t)));
    batch.forEach((p, i) => {
      expect(p.intent).toBe(one[i]!.intent);
      expect(Math.abs(p.confidence - one[i]!.confidence)).toBeLessThanOrEqual(1e-6);
    });
    expect(await model.predictBatch([])).toEqual([]);
  });

  it('refuses a directory that is not a model', async () => {
    await expect(IntentModel.load(os.tmpdir())).rejects.toMatchObject({ code: 'SB_ERR_NOT_FOUND' });
  });
});
