import type { Priority, RoutingRule, RulePatch } from '../types.js';
import { parsePercent } from './intent.js';

/** A rule's inline edit form, as typed (empty strings mean "not set"). */
export interface RuleEditForm {
  teamId: string;
  assigneeId: string;
  priority: Priority | '';
  /** Percent, 0..100; empty: the tenant's triage threshold applies. */
  minConfidence: string;
}

/** The edit form filled from a stored rule (confidence as a percent with at most one decimal). */
export function ruleEditForm(r: RoutingRule): RuleEditForm {
  return {
    teamId: r.teamId ?? '',
    assigneeId: r.assigneeId ?? '',
    priority: r.priority ?? '',
    minConfidence: r.minConfidence === null ? '' : String(Math.round(r.minConfidence * 1000) / 10),
  };
}

/**
 * The `PATCH /intent/rules/:id` body for an edited form: only the fields the admin changed
 * (a cleared field becomes null), checked as the server would. An empty patch means no change.
 */
export function rulePatch(r: RoutingRule, f: RuleEditForm): { patch: RulePatch } | { error: string } {
  const before = ruleEditForm(r);
  if (!f.teamId && !f.assigneeId && !f.priority) return { error: 'A rule needs a team, an assignee or a priority.' };
  const patch: RulePatch = {};
  if (f.minConfidence.trim() !== before.minConfidence) {
    const min = parsePercent(f.minConfidence);
    if (min === undefined) return { error: 'Minimum confidence is a percentage from 0 to 100.' };
    if (min !== r.minConfidence) patch.minConfidence = min;
  }
  if (f.teamId !== before.teamId) patch.teamId = f.teamId || null;
  if (f.assigneeId !== before.assigneeId) patch.assigneeId = f.assigneeId || null;
  if (f.priority !== before.priority) patch.priority = f.priority || null;
  return { patch };
}

/**
 * The position changes that move rule `index` of `rules` (in the order they are tried) one
 * place up (-1) or down (+1). Distinct positions are swapped (two requests); when some share a
 * position (the server then orders them by creation) every rule is renumbered 0..n-1 in the new
 * order, and only the ones whose position changes are listed. Empty when the move is impossible.
 */
export function movePatches(rules: readonly RoutingRule[], index: number, dir: -1 | 1): { id: string; position: number }[] {
  const other = index + dir;
  const a = rules[index];
  const b = rules[other];
  if (!a || !b) return [];
  const distinct = rules.every((r, i) => i === 0 || r.position > rules[i - 1]!.position);
  if (distinct) {
    return [
      { id: a.id, position: b.position },
      { id: b.id, position: a.position },
    ];
  }
  const order = rules.slice();
  order[index] = b;
  order[other] = a;
  return order.flatMap((r, i) => (r.position === i ? [] : [{ id: r.id, position: i }]));
}

/** The priorities a rule can set (in the order the selects offer them). */
export const RULE_PRIORITIES: readonly Priority[] = ['low', 'medium', 'high', 'urgent'];
