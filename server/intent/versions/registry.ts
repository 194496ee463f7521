import crypto from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Logger } from '../../logger.js';
import { loadIntentModelFiles, type IntentPredictor } from '../model.js';
import { DEFAULT_MODEL_ID, type IntentModelRecord, type IntentModelRepo } from './repo.js';
import type { ModelSelection, ServedModel } from '../router.js';

export interface ModelRegistryOptions {
  /** How long a tenant's model configuration is reused before it is read again; other nodes see a change within it. Default 5000. */
  configTtlMs?: number;
  /** Loaded uploaded models kept in memory across all tenants (least recently used are closed). Default 16. */
  maxLoaded?: number;
  /** How long after a failed load the model is not tried again (its bytes may have been fine and the database briefly away). Default 60000. */
  retryFailedMs?: number;
  /** How long an evicted model stays open for predictions already handed out. Default 30000. */
  closeGraceMs?: number;
}

/**
 * The stable A/B bucket of a conversation in [0, 1): the first 4 bytes of sha256(id) / 2^32.
 * It depends on the id only, so one conversation sees the same model on every node and message.
 */
export function conversationBucket(conversationId: string): number {
  return crypto.createHash('sha256').update(conversationId).digest().readUInt32BE(0) / 2 ** 32;
}

/** The candidate whose share of [0, 1) holds `bucket`; shares are laid end to end in upload order. */
export function pickCandidate(candidates: readonly IntentModelRecord[], bucket: number): IntentModelRecord | undefined {
  let end = 0;
  for (const c of candidates) {
    end += c.split;
    if (bucket < end) return c;
  }
  return undefined;
}

/** The models of a tenant that take part in routing (everything but `inactive`). */
interface TenantConfig {
  expiresAt: number;
  active: IntentModelRecord | undefined;
  candidates: IntentModelRecord[];
  shadows: IntentModelRecord[];
}

/**
 * Which intent model serves which conversation, per tenant, on this node: the tenant's active
 * uploaded model or else the shipped default routes; `candidate`s route their share of
 * conversations (A/B by conversation hash); `shadow`s predict beside it without routing.
 * The configuration is cached (a change through any node drops it everywhere over the bus; the
 * TTL only bounds staleness when that notice is lost) and loaded models are kept in an LRU, so
 * the hot path reads the database only when a TTL runs out or a model is first needed. A stored
 * model that fails to load is logged once and skipped: the next model in line (active, then
 * default) keeps serving.
 */
export class ModelRegistry {
  private readonly configTtlMs: number;
  private readonly retryFailedMs: number;
  private readonly closeGraceMs: number;
  private readonly configs = new Map<string, TenantConfig>();
  private readonly configLoads = new Map<string, Promise<TenantConfig>>();
  private readonly loaded: LRUCache<string, IntentPredictor>;
  private readonly loading = new Map<string, Promise<IntentPredictor | undefined>>();
  /** Model key → time before which it is not loaded again. */
  private readonly failedUntil = new Map<string, number>();
  /** Model keys whose load failure was already logged (once is enough; it fails the same way each time). */
  private readonly reported = new Set<string>();
  private readonly retiring = new Map<IntentPredictor, NodeJS.Timeout>();
  private readonly closing = new Set<Promise<void>>();
  private closed = false;
  /** What `select` answers for a tenant with no uploaded model in use. */
  private readonly defaultOnly: ModelSelection;

  constructor(
    private readonly d: { repo: IntentModelRepo; defaultModel: IntentPredictor | undefined; log: Logger; onChange?: (tenantId: string) => void },
    opts: ModelRegistryOptions = {},
  ) {
    const o = { configTtlMs: 5000, maxLoaded: 16, retryFailedMs: 60_000, closeGraceMs: 30_000, ...opts };
    if (!(o.configTtlMs >= 0)) throw new Error('configTtlMs must be >= 0');
    if (!(Number.isInteger(o.maxLoaded) && o.maxLoaded >= 1)) throw new Error('maxLoaded must be an integer >= 1');
    this.configTtlMs = o.configTtlMs;
    this.retryFailedMs = o.retryFailedMs;
    this.closeGraceMs = o.closeGraceMs;
    this.loaded = new LRUCache({ max: o.maxLoaded, dispose: (model) => this.retire(model) });
    const routing = d.defaultModel && Object.freeze({ id: DEFAULT_MODEL_ID, model: d.defaultModel });
    this.defaultOnly = Object.freeze({ routing, shadows: Object.freeze([]) });
  }

  /** The shipped model, if one is loaded (the API describes it as the built-in 'default'). */
  get defaultModel(): IntentPredictor | undefined {
    return this.d.defaultModel;
  }

  /** The model that routes this conversation and the shadow models to run beside it. */
  async select(tenantId: string, conversationId: string): Promise<ModelSelection> {
    const config = await this.config(tenantId);
    // Most tenants run the shipped model alone: one shared answer, nothing built per message.
    if (!config.active && !config.candidates.length && !config.shadows.length) return this.defaultOnly;
    // Only a tenant running an A/B candidate needs the id's bucket: no SHA-256 per message otherwise.
    const candidate = config.candidates.length ? pickCandidate(config.candidates, conversationBucket(conversationId)) : undefined;
    const inLine = [candidate, config.active].filter((m) => m !== undefined);
    let routing: ServedModel | undefined;
    for (const record of inLine) {
      const model = await this.load(tenantId, record);
      if (model) {
        routing = { id: record.id, model };
        break;
      }
    }
    routing ??= this.defaultOnly.routing;
    const shadows = await Promise.all(config.shadows.map(async (record) => ({ id: record.id, model: await this.load(tenantId, record) })));
    return { routing, shadows: shadows.filter((s): s is ServedModel => s.model !== undefined) };
  }

  /** Labels an agent may pick when correcting (the routing models' labels for the tenant, union, sorted). */
  async labels(tenantId: string): Promise<string[]> {
    const config = await this.config(tenantId);
    const labels = new Set<string>();
    const usable = (r: IntentModelRecord) => !this.failedUntil.has(this.key(tenantId, r.id));
    for (const c of config.candidates.filter(usable)) c.labels.forEach((l) => labels.add(l));
    // The default routes whenever there is no usable active model.
    if (config.active && usable(config.active)) config.active.labels.forEach((l) => labels.add(l));
    else this.d.defaultModel?.labels.forEach((l) => labels.add(l));
    return [...labels].sort();
  }

  /** Forgets this node's cached configuration of the tenant, or of every tenant (another node changed it). */
  invalidate(tenantId?: string): void {
    if (tenantId === undefined) this.configs.clear();
    else this.configs.delete(tenantId);
  }

  /** A change made through this node: dropped here at once, and announced to the other nodes. */
  changed(tenantId: string): void {
    this.invalidate(tenantId);
    this.d.onChange?.(tenantId);
  }

  /** Closes every loaded uploaded model (the shipped default belongs to the caller). */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.loading.values()]);
    this.loaded.clear();
    for (const [model, timer] of this.retiring) {
      clearTimeout(timer);
      this.closeNow(model);
    }
    this.retiring.clear();
    await Promise.allSettled([...this.closing]);
  }

  private key(tenantId: string, modelId: string): string {
    return `${tenantId}/${modelId}`;
  }

  private async config(tenantId: string): Promise<TenantConfig> {
    const cached = this.configs.get(tenantId);
    if (cached && cached.expiresAt > Date.now()) return cached;
    let pending = this.configLoads.get(tenantId);
    if (!pending) {
      pending = this.readConfig(tenantId, cached).finally(() => this.configLoads.delete(tenantId));
      this.configLoads.set(tenantId, pending);
    }
    return pending;
  }

  private async readConfig(tenantId: string, stale: TenantConfig | undefined): Promise<TenantConfig> {
    let records: IntentModelRecord[];
    try {
      records = await this.d.repo.list(tenantId);
    } catch (err) {
      // The database is briefly away: routing with the last known models beats not routing.
      if (!stale) throw err;
      this.d.log.warn({ err, tenantId }, 'reading intent model configuration failed; using the last one');
      stale.expiresAt = Date.now() + this.configTtlMs;
      return stale;
    }
    // Upload order, so candidates' shares of [0, 1) stay put when another model changes.
    records.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
    const config: TenantConfig = {
      expiresAt: Date.now() + this.configTtlMs,
      active: records.find((r) => r.mode === 'active'),
      candidates: records.filter((r) => r.mode === 'candidate'),
      shadows: records.filter((r) => r.mode === 'shadow'),
    };
    this.configs.set(tenantId, config);
    this.unloadUnused(tenantId, config);
    return config;
  }

  /** Frees models of the tenant that no longer serve (deactivated or deleted). */
  private unloadUnused(tenantId: string, config: TenantConfig): void {
    const serving = new Set([config.active, ...config.candidates, ...config.shadows].filter((r) => r !== undefined).map((r) => this.key(tenantId, r.id)));
    for (const key of [...this.loaded.keys()]) {
      if (key.startsWith(`${tenantId}/`) && !serving.has(key)) this.loaded.delete(key);
    }
  }

  private async load(tenantId: string, record: IntentModelRecord): Promise<IntentPredictor | undefined> {
    const key = this.key(tenantId, record.id);
    const hit = this.loaded.get(key);
    if (hit) return hit;
    if ((this.failedUntil.get(key) ?? 0) > Date.now()) return undefined;
    let pending = this.loading.get(key);
    if (!pending) {
      pending = this.loadFromDb(tenantId, record, key).finally(() => this.loading.delete(key));
      this.loading.set(key, pending);
    }
    return pending;
  }

  private async loadFromDb(tenantId: string, record: IntentModelRecord, key: string): Promise<IntentPredictor | undefined> {
    try {
      const files = await this.d.repo.files(tenantId, record.id);
      // Deleted since the configuration was read: not a failure, the next refresh drops it.
      if (files.size === 0) return undefined;
      const model = await loadIntentModelFiles(files);
      if (this.closed) {
        await model.close();
        return undefined;
      }
      this.loaded.set(key, model);
      this.failedUntil.delete(key);
      this.reported.delete(key);
      return model;
    } catch (err) {
      this.failedUntil.set(key, Date.now() + this.retryFailedMs);
      if (!this.reported.has(key)) {
        this.reported.add(key);
        this.d.log.error(
          { err: { message: err instanceof Error ? err.message : String(err) }, tenantId, modelId: record.id, mode: record.mode },
          'stored intent model failed to load; the previous routing choice keeps serving',
        );
      }
      return undefined;
    }
  }

  /**
   * An evicted model may still be predicting for a caller of `select` (which hands out models
   * without reference counts), so it is closed after a grace period rather than at once.
   */
  private retire(model: IntentPredictor): void {
    if (this.closed) return this.closeNow(model);
    const timer = setTimeout(() => {
      this.retiring.delete(model);
      this.closeNow(model);
    }, this.closeGraceMs);
    timer.unref();
    this.retiring.set(model, timer);
  }

  private closeNow(model: IntentPredictor): void {
    const p = model.close().catch((err) => this.d.log.warn({ err }, 'closing an intent model failed'));
    this.closing.add(p);
    void p.finally(() => this.closing.delete(p));
  }
}
