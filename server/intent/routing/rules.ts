import type { Priority } from '../../contract/index.js';
import type { Db } from '../../storage/db.js';
import { nowMs, toIso } from '../../storage/db.js';
import { newId } from '../../ids.js';

/** Where a confident intent sends an unrouted conversation. At least one action is set. */
export interface RoutingRule {
  id: string;
  intent: string;
  /** The rule fires at or above this confidence; null: the tenant's triage threshold. */
  minConfidence: number | null;
  teamId: string | null;
  assigneeId: string | null;
  priority: Priority | null;
  /** Rules are tried in this order; the first match routes. */
  position: number;
  createdAt: string;
  updatedAt: string;
}

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

/** Routing rules and triage settings of one tenant. Every method takes the tenant id first. */
export class RoutingRuleRepo {
  constructor(
    private readonly db: Db,
    private readonly defaults: RoutingSettings,
  ) {}

  async list(tenantId: string): Promise<RoutingRule[]> {
    return (await this.db('intent_rules').where({ tenant_id: tenantId }).orderBy([{ column: 'position' }, { column: 'created_at' }])).map(toRule);
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
    return toRule(row);
  }

  async update(tenantId: string, id: string, patch: Partial<RuleInput> & { position?: number }): Promise<RoutingRule | undefined> {
    const row = { ...toRow(patch), updated_at: nowMs() } as Record<string, unknown>;
    if (patch.position !== undefined) row['position'] = patch.position;
    const n = await this.db('intent_rules').where({ tenant_id: tenantId, id }).update(row);
    return n ? this.get(tenantId, id) : undefined;
  }

  async remove(tenantId: string, id: string): Promise<boolean> {
    return (await this.db('intent_rules').where({ tenant_id: tenantId, id }).delete()) > 0;
  }

  async settings(tenantId: string): Promise<RoutingSettings> {
    const r = await this.db('intent_settings').where({ tenant_id: tenantId }).first();
    return r ? { triageThreshold: Number(r.triage_threshold), triageTeamId: r.triage_team_id ?? null } : { ...this.defaults };
  }

  async putSettings(tenantId: string, s: RoutingSettings): Promise<RoutingSettings> {
    const row = { tenant_id: tenantId, triage_threshold: s.triageThreshold, triage_team_id: s.triageTeamId, updated_at: nowMs() };
    await this.db('intent_settings').insert(row).onConflict('tenant_id').merge();
    return this.settings(tenantId);
  }
}
