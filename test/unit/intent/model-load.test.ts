import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../server/errors.js';
import { loadIntentModel, loadIntentModelFiles, readModelDir, writeModelDir, type ModelFiles } from '../../../server/intent/model.js';
import { trainIntentModel } from '../../../server/intent/pipeline.js';
import { syntheticIntents } from './synthetic.js';

/** A linear model that cannot serve is refused at load with a clear SB_ERR_VALIDATION, never later. */
describe('loading a linear intent model', () => {
  let dir: string;
  let good: ModelFiles;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-intent-load-'));
    const trained = trainIntentModel(syntheticIntents(), { valSplit: 0, epochs: 2, seed: 3, featurizer: { buckets: 1 << 10 } });
    writeModelDir(dir, trained.onnx, trained.manifest);
    good = readModelDir(dir);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const manifest = () => JSON.parse(Buffer.from(good.get('model.json')!).toString('utf8'));
  const withFile = (name: string, bytes: string | Uint8Array): ModelFiles => new Map([...good, [name, typeof bytes === 'string' ? Buffer.from(bytes) : bytes]]);

  async function refusal(files: ModelFiles): Promise<AppError> {
    const err = await loadIntentModelFiles(files).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  }

  it('loads a good directory and predicts one of its labels', async () => {
    const model = await loadIntentModel(dir);
    expect(model.kind).toBe('linear');
    expect(model.labels).toContain((await model.predict('where is my card')).intent);
    await model.close();
  });

  it('refuses corrupt ONNX bytes', async () => {
    const err = await refusal(withFile('model.onnx', 'not a protobuf at all'));
    expect(err.code).toBe('SB_ERR_VALIDATION');
    expect(err.message).toMatch(/model\.onnx could not be loaded/);
  });

  it('refuses a graph whose class count does not match the labels', async () => {
    const err = await refusal(withFile('model.json', JSON.stringify({ ...manifest(), labels: [...manifest().labels, 'extra'] })));
    expect(err.code).toBe('SB_ERR_VALIDATION');
    expect(err.message).toMatch(/scores \d+ classes but model\.json lists \d+ labels/);
  });

  it('refuses featurizer settings the graph cannot serve (more buckets than embedding rows)', async () => {
    const err = await refusal(withFile('model.json', JSON.stringify({ ...manifest(), featurizer: { ...manifest().featurizer, buckets: 1 << 20 } })));
    expect(err.code).toBe('SB_ERR_VALIDATION');
  });

  it('refuses a manifest that is not JSON, of an unknown kind, or without model.onnx', async () => {
    expect((await refusal(withFile('model.json', '{ nope'))).message).toMatch(/not valid JSON/);
    expect((await refusal(withFile('model.json', JSON.stringify({ ...manifest(), kind: 'svm' })))).message).toMatch(/unknown kind "svm"/);
    expect((await refusal(new Map([['model.json', good.get('model.json')!]]))).code).toBe('SB_ERR_VALIDATION');
    await expect(loadIntentModel(path.join(dir, 'missing'))).rejects.toMatchObject({ code: 'SB_ERR_NOT_FOUND' });
  });
});
