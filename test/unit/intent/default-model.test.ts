import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLabelledCsv } from '../../../server/intent/dataset.js';
import { IntentModel } from '../../../server/intent/model.js';
import { trainIntentModel } from '../../../server/intent/pipeline.js';
import { ROOT } from '../../helpers/server.js';

const DIR = path.join(ROOT, 'models/default');

describe('the shipped default intent model (models/default)', () => {
  let model: IntentModel;
  beforeAll(async () => {
    model = await IntentModel.load(DIR);
  });
  afterAll(async () => {
    await model.close();
  });

  it('labels unseen English and Chinese customer-service messages', async () => {
    const cases: [string, string][] = [
      ['where is my parcel', 'order_status'],
      ['I need my money back', 'refund'],
      ['can I speak with a person', 'human_agent'],
      ['我想退款', 'refund'],
      ['我的快递到哪了', 'order_status'],
      ['密码忘记了怎么办', 'password_reset'],
    ];
    const predictions = await model.predictBatch(cases.map(([text]) => text));
    expect(predictions.map((p) => p.intent)).toEqual(cases.map(([, intent]) => intent));
  });

  it('is exactly what retraining from models/default/data.csv produces', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(DIR, 'model.json'), 'utf8'));
    const { valSplit, epochs, seed } = manifest.training;
    const trained = trainIntentModel(readLabelledCsv(path.join(DIR, 'data.csv')), { valSplit, epochs, seed, featurizer: manifest.featurizer });
    expect(trained.manifest).toEqual(manifest);
    expect(Buffer.from(trained.onnx).equals(fs.readFileSync(path.join(DIR, 'model.onnx')))).toBe(true);
  });

  it('is small enough to keep in the repository', () => {
    expect(fs.statSync(path.join(DIR, 'model.onnx')).size).toBeLessThan(2 * 1024 * 1024);
  });
});
