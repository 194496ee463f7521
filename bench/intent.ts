/**
 * `npx tsx bench/intent.ts [--skip-clinc] [--seed N]`: trains the intent model on BANKING77
 * (a seeded, stratified 10% of /work/shared/data/banking77/train.csv held out for validation)
 * and on CLINC150 (train.json → val.json, "oos" counted as a class), then measures each through
 * the serving path (ONNX, one message per call, one thread). Prints one JSON report on stdout.
 * The datasets are read in place and never copied into the repository.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readClincJson, readLabelledCsv, type LabelledTexts } from '../server/intent/dataset.js';
import { classificationMetrics, quantile } from '../server/intent/metrics.js';
import { IntentModel, writeModelDir } from '../server/intent/model.js';
import { trainIntentModel } from '../server/intent/pipeline.js';

const DATA = process.env.SB_INTENT_DATA ?? '/work/shared/data';
const args = process.argv.slice(2);
const seedAt = args.indexOf('--seed');
const seed = seedAt >= 0 ? Number(args[seedAt + 1]) : 1;
const log = (line: string) => process.stderr.write(`${line}\n`);

async function serve(dir: string, data: LabelledTexts) {
  const model = await IntentModel.load(dir);
  try {
    for (const text of data.texts.slice(0, 50)) await model.predict(text); // warm-up
    const predicted: string[] = [];
    const latencies: number[] = [];
    for (const text of data.texts) {
      const started = performance.now();
      predicted.push((await model.predict(text)).intent);
      latencies.push(performance.now() - started);
    }
    const started = performance.now();
    await model.predictBatch(data.texts);
    const batchMs = performance.now() - started;
    return {
      ...classificationMetrics(data.labels, predicted),
      p50Ms: quantile(latencies, 0.5),
      p99Ms: quantile(latencies, 0.99),
      batchMsPerMessage: batchMs / data.texts.length,
      predicted,
    };
  } finally {
    await model.close();
  }
}

async function run(name: string, train: LabelledTexts, heldOut: LabelledTexts | undefined) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `sb-intent-${name}-`));
  try {
    log(`${name}: training on ${heldOut ? train.texts.length : `${Math.round(train.texts.length * 0.9)} of ${train.texts.length}`} rows…`);
    const trained = trainIntentModel(train, { valSplit: heldOut ? 0 : 0.1, seed });
    writeModelDir(dir, trained.onnx, trained.manifest);
    const evaluation = heldOut ?? trained.validation;
    const { predicted, ...served } = await serve(dir, evaluation);
    const result: Record<string, unknown> = {
      classes: trained.manifest.labels.length,
      trainRows: trained.manifest.training.trainRows,
      trainSeconds: Math.round(trained.trainMs) / 1000,
      onnxBytes: trained.onnx.length,
      tsForwardMetrics: trained.manifest.metrics,
      served,
    };
    if (evaluation.labels.includes('oos')) {
      const inScope = evaluation.labels.map((l, i) => [l, predicted[i]!] as const).filter(([l]) => l !== 'oos');
      result.inScope = classificationMetrics(inScope.map(([l]) => l), inScope.map(([, p]) => p));
      const oos = evaluation.labels.map((l, i) => [l, predicted[i]!] as const).filter(([l]) => l === 'oos');
      result.oosRecall = oos.filter(([, p]) => p === 'oos').length / oos.length;
    }
    log(`${name}: ${JSON.stringify(result)}`);
    return result;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const report: Record<string, unknown> = { seed, node: process.version, cpu: os.cpus()[0]?.model };
report.banking77 = await run('banking77', readLabelledCsv(path.join(DATA, 'banking77/train.csv')), undefined);
if (!args.includes('--skip-clinc')) {
  const clinc = path.join(DATA, 'clinc150');
  report.clinc150 = await run('clinc150', readClincJson(path.join(clinc, 'train.json'), ['train', 'oos_train']), readClincJson(path.join(clinc, 'val.json'), ['val', 'oos_val']));
}
process.stdout.write(`${JSON.stringify(report)}\n`);
