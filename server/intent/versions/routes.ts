import { Router } from 'express';
import { z } from 'zod';
import { AppError } from '../../errors.js';
import { parse } from '../../http/validate.js';
import { agentOf, requireAdmin } from '../../auth/middleware.js';
import { loadIntentModelFiles, parseManifest, type IntentPredictor } from '../model.js';
import { DEFAULT_MODEL_ID, MODEL_MODES, emptyStats, type IntentModelRecord, type IntentModelRepo, type ModelMetrics, type ModelStats } from './repo.js';
import type { ModelRegistry } from './registry.js';
import { readModelUpload } from './upload.js';

export interface IntentModelRoutesDeps {
  repo: IntentModelRepo;
  registry: ModelRegistry;
  /** Largest upload (all files together), in bytes. Default 256 MiB. */
  maxBytes?: number;
}

/** A model as the API shows it: an uploaded version, or the shipped default (`builtIn`). */
export interface WireIntentModel extends Omit<IntentModelRecord, 'kind' | 'size' | 'createdAt' | 'updatedAt'> {
  builtIn: boolean;
  /** Null only for the built-in model when this server runs without one. */
  kind: string | null;
  size: number | null;
  createdAt: string | null;
  updatedAt: string | null;
  stats?: ModelStats;
}

const uploadQuery = z.object({ name: z.string().trim().min(1).max(200).optional() });
const patchBody = z
  .object({ mode: z.enum(MODEL_MODES), split: z.number().gt(0).lt(1).optional() })
  .strict()
  .refine((b) => b.mode !== 'candidate' || b.split !== undefined, { message: 'a candidate needs a split between 0 and 1', path: ['split'] })
  .refine((b) => b.mode === 'candidate' || b.split === undefined, { message: 'only a candidate takes a split', path: ['split'] });

const uploaded = (r: IntentModelRecord): WireIntentModel => ({ ...r, builtIn: false });

/** The shipped model's metrics, when it is the built-in kind that carries its manifest. */
function shippedMetrics(model: IntentPredictor | undefined): ModelMetrics | null {
  const manifest = (model as { manifest?: { metrics?: ModelMetrics | null } } | undefined)?.manifest;
  return manifest?.metrics ?? null;
}

/** The shipped model as a list entry: active unless an uploaded model is. */
function builtIn(model: IntentPredictor | undefined, records: readonly IntentModelRecord[]): WireIntentModel {
  return {
    id: DEFAULT_MODEL_ID,
    name: 'Shipped default model',
    builtIn: true,
    kind: model?.kind ?? null,
    labels: model ? [...model.labels] : [],
    mode: records.some((r) => r.mode === 'active') ? 'inactive' : 'active',
    split: 0,
    size: null,
    metrics: shippedMetrics(model),
    createdBy: null,
    createdAt: null,
    updatedAt: null,
  };
}

/**
 * Intent model versions of the caller's tenant. Mount under `/api/v1` behind the agent token
 * check; every agent reads, admins write:
 * - `GET    /intent/models` → `{items, nextCursor: null}`: the built-in `default` first, then
 *   uploads (newest first), each with `stats` (predictions, routed, feedback, agreed, agreement).
 * - `GET    /intent/models/:id` → one model with `stats` (`default` is the shipped model).
 * - `POST   /intent/models?name=…` (admin) → 201 the new `inactive` model. Body: `multipart/form-data`,
 *   one file part per file named by it (`model.json`, `model.onnx`, optional `vocab.txt`); the
 *   model must load (422 `SB_ERR_VALIDATION` otherwise, nothing stored); more than `maxBytes`
 *   is 413 `SB_ERR_PAYLOAD_TOO_LARGE`.
 * - `PATCH  /intent/models/:id {mode, split?}` (admin) → the model. `active` demotes the previous
 *   active model (`default` can only be made active, which demotes any upload); `candidate`
 *   needs `0 < split < 1` and routes that share of conversations; `shadow` predicts beside the
 *   routing model; `inactive` takes it out.
 * - `DELETE /intent/models/:id` (admin) → 204; 409 `SB_ERR_CONFLICT` for the active model.
 */
export function intentModelRoutes(deps: IntentModelRoutesDeps): Router {
  const { repo, registry } = deps;
  const maxBytes = deps.maxBytes ?? 256 * 1024 * 1024;
  if (!(Number.isInteger(maxBytes) && maxBytes > 0)) throw new Error('maxBytes must be a positive integer');
  const r = Router();
  const notFound = () => new AppError('SB_ERR_MODEL_NOT_FOUND');

  const withStats = (m: WireIntentModel, stats: Map<string, ModelStats>): WireIntentModel => ({ ...m, stats: stats.get(m.id) ?? emptyStats() });

  /** One model by id ('default' included), with its stats; undefined when the tenant has no such model. */
  const describe = async (tenantId: string, id: string): Promise<WireIntentModel | undefined> => {
    const stats = await repo.stats(tenantId);
    if (id === DEFAULT_MODEL_ID) return withStats(builtIn(registry.defaultModel, await repo.list(tenantId)), stats);
    const record = await repo.get(tenantId, id);
    return record && withStats(uploaded(record), stats);
  };

  r.get('/intent/models', async (_req, res) => {
    const tenantId = agentOf(res).tenantId;
    const [records, stats] = await Promise.all([repo.list(tenantId), repo.stats(tenantId)]);
    const items = [builtIn(registry.defaultModel, records), ...records.map(uploaded)].map((m) => withStats(m, stats));
    res.json({ items, nextCursor: null });
  });

  r.get('/intent/models/:id', async (req, res) => {
    const model = await describe(agentOf(res).tenantId, String(req.params['id']));
    if (!model) throw notFound();
    res.json(model);
  });

  r.post('/intent/models', requireAdmin, async (req, res) => {
    const agent = agentOf(res);
    // The query is checked before the (possibly large) body is read.
    const { name } = parse(uploadQuery, req.query);
    const files = await readModelUpload(req, res, maxBytes);
    // Loading is the validation: a model that cannot serve here is refused before it is stored.
    const model = await loadIntentModelFiles(files);
    let kind: string;
    let labels: string[];
    try {
      kind = model.kind;
      labels = [...model.labels];
    } finally {
      await model.close();
    }
    const manifest = parseManifest(files);
    const record = await repo.create(agent.tenantId, {
      name: name ?? `Uploaded ${new Date().toISOString()}`,
      kind,
      labels,
      manifest,
      files,
      createdBy: agent.id,
    });
    res.status(201).json(uploaded(record));
  });

  r.patch('/intent/models/:id', requireAdmin, async (req, res) => {
    const tenantId = agentOf(res).tenantId;
    const id = String(req.params['id']);
    const { mode, split } = parse(patchBody, req.body);
    await repo.setMode(tenantId, id, mode, split);
    // Every node routes with the change at once (the registry tells the others over the bus).
    registry.changed(tenantId);
    const model = await describe(tenantId, id);
    if (!model) throw notFound();
    res.json(model);
  });

  r.delete('/intent/models/:id', requireAdmin, async (req, res) => {
    const tenantId = agentOf(res).tenantId;
    if (!(await repo.remove(tenantId, String(req.params['id'])))) throw notFound();
    registry.changed(tenantId);
    res.status(204).end();
  });

  return r;
}
