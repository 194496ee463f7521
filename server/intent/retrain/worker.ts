import { parentPort, workerData } from 'node:worker_threads';
import type { LabelledTexts } from '../dataset.js';
import { trainIntentModel, type TrainIntentOptions } from '../pipeline.js';

/**
 * Worker-thread entry: trains one model off the event loop (a tenant's corrections can be
 * tens of thousands of rows, a minute of CPU) and posts back the ONNX bytes and manifest.
 */
const { data, options } = workerData as { data: LabelledTexts; options: TrainIntentOptions };
try {
  const trained = trainIntentModel(data, options);
  parentPort!.postMessage({ ok: true, onnx: trained.onnx, manifest: trained.manifest, trainMs: trained.trainMs }, [trained.onnx.buffer as ArrayBuffer]);
} catch (err) {
  parentPort!.postMessage({ ok: false, message: err instanceof Error ? err.message : String(err) });
}
