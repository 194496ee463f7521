import type { Knex } from 'knex';
import { AppError } from '../../errors.js';
import { newId } from '../../ids.js';
import { isPostgres, nowMs, parseJson, toIso, type Db } from '../../storage/db.js';
import type { ModelFiles } from '../model.js';

/** How an uploaded model takes part in routing. */
export const MODEL_MODES = ['inactive', 'active', 'candidate', 'shadow'] as const;
export type ModelMode = (typeof MODEL_MODES)[number];

/** The id that stands for the shipped model in predictions, stats and the API. */
export const DEFAULT_MODEL_ID = 'default';

/** Held-out metrics the training run wrote into `model.json`, when it had a validation split. */
export interface ModelMetrics {
  n: number;
  accuracy: number;
  macroF1: number;
}

/** One uploaded model version, without its files. */
export interface IntentModelRecord {
  id: string;
  name: string;
  kind: string;
  labels: string[];
  mode: ModelMode;
  /** Share of conversations a `candidate` routes (0 for every other mode). */
  split: number;
  /** Bytes of all its files. */
  size: number;
  metrics: ModelMetrics | null;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
}

/** How a model's predictions fared against agents' corrections. */
export interface ModelStats {
  predictions: number;
  /** Predictions that routed the message (the others were shadow runs). */
  routed: number;
  /** Predictions an agent labelled afterwards. */
  feedback: number;
  /** Labelled predictions the agent agreed with. */
  agreed: number;
  /** `agreed / feedback`, or null without feedback. */
  agreement: number | null;
}

export const emptyStats = (): ModelStats => ({ predictions: 0, routed: 0, feedback: 0, agreed: 0, agreement: null });

export interface NewIntentModel {
  name: string;
  kind: string;
  labels: readonly string[];
  manifest: Record<string, unknown>;
  files: ModelFiles;
  createdBy: string | null;
}

// Candidates' shares are laid end to end on [0, 1); float sums like 0.1 + 0.2 + 0.7 must still fit.
const SPLIT_EPSILON = 1e-9;

const notFound = () => new AppError('SB_ERR_MODEL_NOT_FOUND');

function readMetrics(manifest: Record<string, unknown>): ModelMetrics | null {
  const m = manifest['metrics'] as Partial<ModelMetrics> | null | undefined;
  if (!m || typeof m !== 'object') return null;
  const { n, accuracy, macroF1 } = m;
  return typeof n === 'number' && typeof accuracy === 'number' && typeof macroF1 === 'number' ? { n, accuracy, macroF1 } : null;
}

const toRecord = (r: Record<string, unknown>): IntentModelRecord => ({
  id: String(r['id']),
  name: String(r['name']),
  kind: String(r['kind']),
  labels: parseJson<string[]>(r['labels'], []),
  mode: r['mode'] as ModelMode,
  split: Number(r['split']),
  size: Number(r['size']),
  metrics: readMetrics(parseJson<Record<string, unknown>>(r['manifest'], {})),
  createdBy: (r['created_by'] as string | null) ?? null,
  createdAt: toIso(Number(r['created_at']))!,
  updatedAt: toIso(Number(r['updated_at']))!,
});

/** Uploaded intent model versions of each tenant and their files (stored in the database, so every node can load them). */
export class IntentModelRepo {
  constructor(private readonly db: Db) {}

  /** Stores the model and its files in one transaction; a new version starts `inactive`. */
  async create(tenantId: string, input: NewIntentModel): Promise<IntentModelRecord> {
    const now = nowMs();
    let size = 0;
    for (const bytes of input.files.values()) size += bytes.byteLength;
    const row = {
      tenant_id: tenantId,
      id: newId(),
      name: input.name,
      kind: input.kind,
      labels: JSON.stringify(input.labels),
      mode: 'inactive',
      split: 0,
      size,
      manifest: JSON.stringify(input.manifest),
      created_by: input.createdBy,
      created_at: now,
      updated_at: now,
    };
    await this.db.transaction(async (trx) => {
      await trx('intent_models').insert(row);
      for (const [name, bytes] of input.files) {
        await trx('intent_model_files').insert({ tenant_id: tenantId, model_id: row.id, name, bytes: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) });
      }
    });
    return toRecord(row);
  }

  /** Newest first. */
  async list(tenantId: string): Promise<IntentModelRecord[]> {
    const rows = await this.db('intent_models').where({ tenant_id: tenantId }).orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id' }]);
    return rows.map(toRecord);
  }

  async get(tenantId: string, id: string): Promise<IntentModelRecord | undefined> {
    const r = await this.db('intent_models').where({ tenant_id: tenantId, id }).first();
    return r && toRecord(r);
  }

  /** The stored files of a model (empty when it does not exist). */
  async files(tenantId: string, id: string): Promise<ModelFiles> {
    const rows = await this.db('intent_model_files').where({ tenant_id: tenantId, model_id: id }).select('name', 'bytes');
    return new Map(rows.map((r: { name: string; bytes: Buffer }) => [r.name, new Uint8Array(r.bytes)]));
  }

  /**
   * Sets how a model takes part in routing. At most one model of a tenant is `active`:
   * activating one demotes the previous one to `inactive`. `id === 'default'` names the shipped
   * model, which can only be activated (that demotes any uploaded active model). `split` counts
   * for candidates only, whose shares together must not pass 1. Returns the updated record
   * (undefined for 'default'); throws `SB_ERR_MODEL_NOT_FOUND` for an unknown id.
   */
  async setMode(tenantId: string, id: string, mode: ModelMode, split = 0): Promise<IntentModelRecord | undefined> {
    if (id === DEFAULT_MODEL_ID && mode !== 'active') {
      throw new AppError('SB_ERR_VALIDATION', 'The shipped default model can only be made active; activate another model to replace it.');
    }
    if (mode === 'candidate' && !(split > 0 && split < 1)) throw new AppError('SB_ERR_VALIDATION', 'split: a candidate needs a split between 0 and 1 (exclusive)');
    return this.db.transaction(async (trx) => {
      const rows = await this.lockTenantModels(trx, tenantId);
      const now = nowMs();
      if (id === DEFAULT_MODEL_ID) {
        await trx('intent_models').where({ tenant_id: tenantId, mode: 'active' }).update({ mode: 'inactive', updated_at: now });
        return undefined;
      }
      if (!rows.some((r) => r.id === id)) throw notFound();
      if (mode === 'active') {
        await trx('intent_models').where({ tenant_id: tenantId, mode: 'active' }).whereNot({ id }).update({ mode: 'inactive', updated_at: now });
      }
      if (mode === 'candidate') {
        const others = rows.filter((r) => r.mode === 'candidate' && r.id !== id).reduce((sum, r) => sum + Number(r.split), 0);
        if (others + split > 1 + SPLIT_EPSILON) {
          throw new AppError('SB_ERR_VALIDATION', `split: the other candidates already take ${others}; all candidates together may take at most 1`);
        }
      }
      await trx('intent_models').where({ tenant_id: tenantId, id }).update({ mode, split: mode === 'candidate' ? split : 0, updated_at: now });
      return toRecord((await trx('intent_models').where({ tenant_id: tenantId, id }).first())!);
    });
  }

  /** Deletes a model and its files; false when it does not exist. The active model cannot be deleted (`SB_ERR_CONFLICT`). */
  async remove(tenantId: string, id: string): Promise<boolean> {
    if (id === DEFAULT_MODEL_ID) throw new AppError('SB_ERR_CONFLICT', 'The shipped default model cannot be deleted.');
    return this.db.transaction(async (trx) => {
      const rows = await this.lockTenantModels(trx, tenantId);
      const row = rows.find((r) => r.id === id);
      if (!row) return false;
      if (row.mode === 'active') throw new AppError('SB_ERR_CONFLICT', 'The active model cannot be deleted; activate another model (or the default) first.');
      await trx('intent_model_files').where({ tenant_id: tenantId, model_id: id }).delete();
      await trx('intent_models').where({ tenant_id: tenantId, id }).delete();
      return true;
    });
  }

  /**
   * Per model id ('default' included): its predictions, how many routed, and how many of
   * those an agent labelled and agreed with (prediction joined with the message's feedback).
   */
  async stats(tenantId: string): Promise<Map<string, ModelStats>> {
    const rows = await this.db('intent_predictions as p')
      .leftJoin('intent_feedback as f', (j) => {
        j.on('f.tenant_id', '=', 'p.tenant_id').andOn('f.conversation_id', '=', 'p.conversation_id').andOn('f.seq', '=', 'p.seq');
      })
      .where('p.tenant_id', tenantId)
      .groupBy('p.model_id')
      .select('p.model_id as modelId')
      .count({ predictions: '*' })
      .count({ feedback: 'f.seq' })
      .select(this.db.raw('sum(case when p.routed then 1 else 0 end) as routed'))
      .select(this.db.raw('sum(case when f.label = p.intent then 1 else 0 end) as agreed'));
    const stats = new Map<string, ModelStats>();
    for (const r of rows as Record<string, unknown>[]) {
      const feedback = Number(r['feedback']);
      const agreed = Number(r['agreed'] ?? 0);
      stats.set(String(r['modelId']), {
        predictions: Number(r['predictions']),
        routed: Number(r['routed'] ?? 0),
        feedback,
        agreed,
        agreement: feedback ? agreed / feedback : null,
      });
    }
    return stats;
  }

  /**
   * Reads the tenant's models inside `trx`, locking them on PostgreSQL so that concurrent mode
   * changes of one tenant run one after the other (two activations must not both win). SQLite
   * needs no lock: its single connection already serializes transactions.
   */
  private async lockTenantModels(trx: Knex.Transaction, tenantId: string): Promise<{ id: string; mode: ModelMode; split: number }[]> {
    // One lock order for every caller, so two transactions never wait on each other crosswise.
    const q = trx('intent_models').where({ tenant_id: tenantId }).select('id', 'mode', 'split').orderBy('id');
    return isPostgres(this.db) ? q.forUpdate() : q;
  }
}
