import { AppError } from '../errors.js';
import { readLabelledCsv } from '../intent/dataset.js';
import { DEFAULT_FEATURIZER } from '../intent/featurizer.js';
import { classificationMetrics, quantile } from '../intent/metrics.js';
import { loadIntentModel, writeModelDir } from '../intent/model.js';
import { trainIntentModel } from '../intent/pipeline.js';
import type { CliCommand } from './context.js';

function parseNumber(value: string, name: string, check: (n: number) => boolean, rule: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || !check(n)) throw new AppError('SB_ERR_VALIDATION', `${name} must be ${rule}`);
  return n;
}

/** `switchboard intent train|eval`: train the on-box intent model from a CSV, and measure it. */
export const intentCommand: CliCommand = (program, ctx) => {
  const intent = program.command('intent').description('train and evaluate the on-box intent model');

  intent
    .command('train')
    .description('train a model from a CSV (columns text and label or category) into a model directory')
    .requiredOption('--data <file>', 'training CSV')
    .requiredOption('--out <dir>', 'model directory to write (model.onnx + model.json)')
    .option('--val-split <fraction>', 'share of each label held out for validation', '0.1')
    .option('--epochs <n>', 'passes over the training rows', '30')
    .option('--seed <n>', 'seed for the split and the row order', '1')
    .option('--buckets <n>', 'hash buckets (a power of two, 2^10..2^22); the model holds buckets × labels floats', String(DEFAULT_FEATURIZER.buckets))
    .action((opts: { data: string; out: string; valSplit: string; epochs: string; seed: string; buckets: string }) => {
      const valSplit = parseNumber(opts.valSplit, '--val-split', (n) => n >= 0 && n < 1, 'in [0, 1)');
      const epochs = parseNumber(opts.epochs, '--epochs', (n) => Number.isInteger(n) && n >= 1 && n <= 1000, 'an integer 1..1000');
      const seed = parseNumber(opts.seed, '--seed', (n) => Number.isInteger(n) && n >= 0 && n < 2 ** 32, 'an integer 0..2^32-1');
      const buckets = parseNumber(opts.buckets, '--buckets', (n) => Number.isInteger(n) && n >= 1024 && n <= 2 ** 22 && (n & (n - 1)) === 0, 'a power of two 1024..4194304');
      const trained = trainIntentModel(readLabelledCsv(opts.data), { valSplit, epochs, seed, featurizer: { buckets } });
      writeModelDir(opts.out, trained.onnx, trained.manifest);
      ctx.print({
        out: opts.out,
        labels: trained.manifest.labels.length,
        trainRows: trained.manifest.training.trainRows,
        validationRows: trained.manifest.training.validationRows,
        validation: trained.manifest.metrics,
        trainMs: Math.round(trained.trainMs),
      });
    });

  intent
    .command('eval')
    .description('score a model on a labelled CSV; prints {n, accuracy, macroF1, p50Ms, p99Ms}')
    .requiredOption('--model <dir>', 'model directory')
    .requiredOption('--data <file>', 'labelled CSV (columns text and label or category)')
    .action(async (opts: { model: string; data: string }) => {
      const data = readLabelledCsv(opts.data);
      const model = await loadIntentModel(opts.model);
      try {
        const predicted: string[] = [];
        const latencies: number[] = [];
        // One message at a time through the serving path, as the router will call it.
        for (const text of data.texts) {
          const started = performance.now();
          predicted.push((await model.predict(text)).intent);
          latencies.push(performance.now() - started);
        }
        const { n, accuracy, macroF1 } = classificationMetrics(data.labels, predicted);
        ctx.print({ n, accuracy, macroF1, p50Ms: quantile(latencies, 0.5), p99Ms: quantile(latencies, 0.99) });
      } finally {
        await model.close();
      }
    });
};
