import { Router } from 'express';
import { z } from 'zod';
import { AppError } from '../../errors.js';
import { parse } from '../../http/validate.js';
import { agentOf, requireAdmin } from '../../auth/middleware.js';
import type { LabelledTexts } from '../dataset.js';
import { loadIntentModelFiles } from '../model.js';
import type { IntentFeedbackRepo } from '../routing/feedback.js';
import type { IntentModelRepo } from '../versions/repo.js';
import type { BackgroundTrainer } from './trainer.js';

const retrainBody = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    /** Start from the shipped model's training set (default) or from the corrections alone. */
    includeShipped: z.boolean().default(true),
    seed: z.number().int().min(0).max(2 ** 32 - 1).default(1),
  })
  .strict();

/** Buckets of a retrained model: the shipped model's size, a few MB per version. */
const RETRAIN_BUCKETS = 1 << 15;

export interface RetrainRouteDeps {
  feedback: IntentFeedbackRepo;
  repo: IntentModelRepo;
  trainer: BackgroundTrainer;
  /** The shipped model's training set, when the server has it. */
  shippedData: () => LabelledTexts | undefined;
  /** Most correction rows one retrain reads. */
  maxFeedbackRows?: number;
}

/**
 * `POST /api/v1/intent/models/retrain {name?, includeShipped?, seed?}` (admin): trains a new
 * version from the tenant's corrections (plus the shipped training set unless
 * `includeShipped: false`) in a worker thread, checks it loads, and stores it `inactive`, ready
 * to be tried as a shadow or A/B candidate (`PATCH /intent/models/:id`). Deterministic per seed.
 */
export function retrainRoutes(deps: RetrainRouteDeps): Router {
  const r = Router();
  const maxRows = deps.maxFeedbackRows ?? 100_000;

  r.post('/intent/models/retrain', requireAdmin, async (req, res) => {
    const agent = agentOf(res);
    const b = parse(retrainBody, req.body ?? {});
    const shipped = b.includeShipped ? deps.shippedData() : undefined;
    const data: LabelledTexts = { texts: [...(shipped?.texts ?? [])], labels: [...(shipped?.labels ?? [])] };
    let feedbackRows = 0;
    for await (const row of deps.feedback.trainingRows(agent.tenantId)) {
      if (feedbackRows >= maxRows) break;
      data.texts.push(row.text);
      data.labels.push(row.label);
      feedbackRows++;
    }
    if (feedbackRows === 0) throw new AppError('SB_ERR_VALIDATION', 'there are no intent corrections to learn from yet');
    if (new Set(data.labels).size < 2) throw new AppError('SB_ERR_VALIDATION', 'training needs examples of at least two intents');

    const trained = await deps.trainer.train(data, { valSplit: 0, seed: b.seed, featurizer: { buckets: RETRAIN_BUCKETS } });
    const manifest = { ...trained.manifest, training: { ...trained.manifest.training, shippedRows: shipped?.texts.length ?? 0, feedbackRows } };
    const files = new Map<string, Uint8Array>([
      ['model.json', Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`)],
      ['model.onnx', trained.onnx],
    ]);
    // The same check an upload gets: a model that cannot serve is never stored.
    await (await loadIntentModelFiles(files)).close();
    const record = await deps.repo.create(agent.tenantId, {
      name: b.name ?? `Retrained ${new Date().toISOString()}`,
      kind: 'linear',
      labels: manifest.labels,
      manifest,
      files,
      createdBy: agent.id,
    });
    res.status(201).json({ ...record, builtIn: false, training: { shippedRows: shipped?.texts.length ?? 0, feedbackRows, trainMs: Math.round(trained.trainMs) } });
  });

  return r;
}
