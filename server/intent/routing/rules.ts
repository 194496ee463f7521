import type { Priority, RoutingRule } from '../../contract/index.js';

export type { RoutingRule };
import type { Db } from '../../storage/db.js';
import { nowMs, toIso } from '../../storage/db.js';
import { newId } from '../../ids.js';

export type RuleInput = Pick<RoutingRule, 'intent' | 'minConfidence' | 'teamId' | 'assigneeId' | 'priority'>;

/** Per-tenant triage: below `triageThreshold` nobody knows what the customer wants, so a human routes. */
export interface RoutingSettings {
  triageThreshold: number;
  /** Where triage conversations go (null: they stay unassigned, flagged `triage`). */
  triageTeamId: string | null;
}

const toRule = (r: Record<string, unknown>): RoutingRule => ({
  id: String(r['id']),
  intent: String(r['intent']),
  minConfidence: r['min_confidence'] == null ? null : Number(r['min_confidence']),
  teamId: (r['team_id'] as string | null) ?? null,
  assigneeId: (r['assignee_id'] as string | null) ?? null,
  priority: (r['priority'] as Priority | null) ?? null,
  position: Number(r['position']),
  createdAt: toIso(Number(r['created_at']))!,
  updatedAt: toIso(Number(r['updated_at']))!,
});

const toRow = (input: Partial<RuleInput>): Record<string, unknown> => {
  const row: Record<string, unknown> = {};
  if (input.intent !== undefined) row['intent'] = input.intent;
  if (input.minConfidence !== undefined) row['min_confidence'] = input.minConfidence;
  if (input.teamId !== undefined) row['team_id'] = input.teamId;
  if (input.assigneeId !== undefined) row['assignee_id'] = input.assigneeId;
  if (input.priority !== undefined) row['priority'] = input.priority;
  return row;
};

/**
 * Routing rules and triage settings of one tenant. Every method takes the tenant id first.
 * Routing reads them for every customer message, so reads are kept for `ttlMs`. A write drops
 * this node's copy at once and calls `onChange`, which tells the other nodes (over the bus) to
 * drop theirs; the TTL only bounds staleness when such a notice was lost.
 */
export class RoutingRuleRepo {
  private readonly cache = new Map<string, { expires: number; rules?: Promise<RoutingRule[]>; settings?: Promise<RoutingSettings> }>();

  constructor(
    private readonly db: Db,
    private readonly defaults: RoutingSettings,
    private readonly opts: { ttlMs?: number; onChange?: (tenantId: string) => void } = {},
  ) {}

  /** Drops this node's cached rules and settings of the tenant (another node changed them). */
  invalidate(tenantId?: string): void {
    if (tenantId === undefined) this.cache.clear();
    else this.cache.delete(tenantId);
  }

  private changed(tenantId: string): void {
    this.invalidate(tenantId);
    this.opts.onChange?.(tenantId);
  }

  list(tenantId: string): Promise<RoutingRule[]> {
    const entry = this.entry(tenantId);
    entry.rules ??= this.db('intent_rules')
      .where({ tenant_id: tenantId })
      .orderBy([{ column: 'position' }, { column: 'created_at' }])
      .then((rows) => rows.map(toRule));
    entry.rules.catch(() => this.cache.delete(tenantId));
    return entry.rules;
  }

  private entry(tenantId: string) {
    const now = Date.now();
    let entry = this.cache.get(tenantId);
    if (!entry || entry.expires <= now) {
      if (this.cache.size > 10_000) this.cache.clear();
      entry = { expires: now + (this.opts.ttlMs ?? 2000) };
      this.cache.set(tenantId, entry);
    }
    return entry;
  }

  async get(tenantId: string, id: string): Promise<RoutingRule | undefined> {
    const r = await this.db('intent_rules').where({ tenant_id: tenantId, id }).first();
    return r ? toRule(r) : undefined;
  }

  /** Appends a rule after the existing ones unless `position` says otherwise. */
  async create(tenantId: string, input: RuleInput, position?: number): Promise<RoutingRule> {
    const now = nowMs();
    const last = await this.db('intent_rules').where({ tenant_id: tenantId }).max({ p: 'position' }).first();
    const row = { tenant_id: tenantId, id: newId(), ...toRow(input), position: position ?? Number(last?.p ?? -1) + 1, created_at: now, updated_at: now };
    await this.db('intent_rules').insert(row);
    this.changed(tenantId);
    return toRule(row);
  }

  async update(tenantId: string, id: string, patch: Partial<RuleInput> & { position?: number }): Promise<RoutingRule | undefined> {
    const row = { ...toRow(patch), updated_at: nowMs() } as Record<string, unknown>;
    if (patch.position !== undefined) row['position'] = patch.position;
    const n = await this.db('intent_rules').where({ tenant_id: tenantId, id }).update(row);
    this.changed(tenantId);
    return n ? this.get(tenantId, id) : undefined;
  }

  async remove(tenantId: string, id: string): Promise<boolean> {
    const removed = (await this.db('intent_rules').where({ tenant_id: tenantId, id }).delete()) > 0;
    this.changed(tenantId);
    return removed;
  }

  settings(tenantId: string): Promise<RoutingSettings> {
    const entry = this.entry(tenantId);
    entry.settings ??= this.db('intent_settings')
      .where({ tenant_id: tenantId })
      .first()
      .then((r) => (r ? { triageThreshold: Number(r.triage_threshold), triageTeamId: r.triage_team_id ?? null } : { ...this.defaults }));
    entry.settings.catch(() => this.cache.delete(tenantId));
    return entry.settings;
  }

  async putSettings(tenantId: string, s: RoutingSettings): Promise<RoutingSettings> {
    const row = { tenant_id: tenantId, triage_threshold: s.triageThreshold, triage_team_id: s.triageTeamId, updated_at: nowMs() };
    await this.db('intent_settings').insert(row).onConflict('tenant_id').merge();
    this.changed(tenantId);
    return this.settings(tenantId);
  }
}
