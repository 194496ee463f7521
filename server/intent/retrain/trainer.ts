import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { AppError } from '../../errors.js';
import type { LabelledTexts } from '../dataset.js';
import type { ModelManifest } from '../model.js';
import type { TrainIntentOptions } from '../pipeline.js';

export interface TrainedFiles {
  onnx: Uint8Array;
  manifest: ModelManifest;
  trainMs: number;
}

// The worker sits beside this module: .js once compiled; .ts when the hub runs under tsx
// (tests, `npm run dev`), where the worker must register tsx itself: Node 20 does not run
// `--import` preloads in worker threads.
const HERE = fileURLToPath(import.meta.url);
const WORKER = path.join(path.dirname(HERE), `worker${path.extname(HERE)}`);

function startWorker(workerData: unknown): Worker {
  if (!WORKER.endsWith('.ts')) return new Worker(WORKER, { workerData });
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = pathToFileURL(WORKER).href;
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(boot, { eval: true, workerData });
}

/**
 * Trains intent models in a worker thread, one at a time per node, so training never stalls
 * the hub's event loop and two retrains do not fight over the same cores.
 */
export class BackgroundTrainer {
  private queue: Promise<unknown> = Promise.resolve();

  train(data: LabelledTexts, options: TrainIntentOptions): Promise<TrainedFiles> {
    const run = this.queue.then(() => this.runWorker(data, options));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private runWorker(data: LabelledTexts, options: TrainIntentOptions): Promise<TrainedFiles> {
    return new Promise((resolve, reject) => {
      const worker = startWorker({ data, options });
      worker.once('message', (m: { ok: true; onnx: Uint8Array; manifest: ModelManifest; trainMs: number } | { ok: false; message: string }) => {
        if (m.ok) resolve({ onnx: m.onnx, manifest: m.manifest, trainMs: m.trainMs });
        else reject(new AppError('SB_ERR_VALIDATION', `training failed: ${m.message}`));
      });
      worker.once('error', reject);
      worker.once('exit', (code) => {
        if (code !== 0) reject(new Error(`the training worker exited with code ${code}`));
      });
    });
  }
}
