import type { IntentModel, Priority, RoutingRule, RuleBody } from '../types.js';

/** "92%" for 0.92 (rounded to a whole percent). */
export const percent = (x: number) => `${Math.round(x * 100)}%`;

/**
 * The text of an intent chip: "order_status · 92%", "order_status · set by agent" when an agent
 * chose it (confidence 1), "No intent" when nothing is known yet.
 */
export function intentChipLabel(intent: string | null, confidence: number | null): string {
  if (!intent) return 'No intent';
  if (confidence === null) return intent;
  return `${intent} · ${confidence >= 1 ? 'set by agent' : percent(confidence)}`;
}

/** What the intent picker offers: the models' labels plus the current intent, sorted, once each. */
export function intentOptions(labels: readonly string[], current: string | null): string[] {
  const all = new Set(labels);
  if (current) all.add(current);
  return [...all].sort();
}

/**
 * What the list's intent filter offers: every label the models know, the intents already seen on
 * conversations (older labels a model no longer has), and the selected one, sorted, once each.
 */
export function intentFilterOptions(labels: readonly string[], seen: readonly string[], selected: string): string[] {
  return intentOptions([...labels, ...seen], selected || null);
}

/**
 * A percentage typed by an admin ("85", "85%", "" for none) as a 0..1 fraction: null for an
 * empty field, undefined when it is not a number between 0 and 100.
 */
export function parsePercent(text: string): number | null | undefined {
  const t = text.trim().replace(/%$/, '').trim();
  if (t === '') return null;
  const n = Number(t);
  if (!Number.isFinite(n) || n < 0 || n > 100) return undefined;
  return Math.round(n * 100) / 10_000;
}

/** The add-a-rule form, as typed (empty strings mean "not set"). */
export interface RuleForm {
  intent: string;
  teamId: string;
  assigneeId: string;
  priority: Priority | '';
  /** Percent, 0..100; empty: the tenant's triage threshold applies. */
  minConfidence: string;
}

export const EMPTY_RULE_FORM: RuleForm = { intent: '', teamId: '', assigneeId: '', priority: '', minConfidence: '' };

/** Checks the form as the server would and builds the request body, or says what is missing. */
export function ruleBody(f: RuleForm): { body: RuleBody } | { error: string } {
  if (!f.intent) return { error: 'Choose an intent.' };
  if (!f.teamId && !f.assigneeId && !f.priority) return { error: 'A rule needs a team, an assignee or a priority.' };
  const min = parsePercent(f.minConfidence);
  if (min === undefined) return { error: 'Minimum confidence is a percentage from 0 to 100.' };
  return {
    body: {
      intent: f.intent,
      ...(min !== null ? { minConfidence: min } : {}),
      ...(f.teamId ? { teamId: f.teamId } : {}),
      ...(f.assigneeId ? { assigneeId: f.assigneeId } : {}),
      ...(f.priority ? { priority: f.priority } : {}),
    },
  };
}

/** What a rule does, in words: "team Fulfilment · priority high", names looked up by id. */
export function ruleAction(r: RoutingRule, name: (kind: 'team' | 'agent', id: string) => string): string {
  const parts: string[] = [];
  if (r.teamId) parts.push(`team ${name('team', r.teamId)}`);
  if (r.assigneeId) parts.push(`assign ${name('agent', r.assigneeId)}`);
  if (r.priority) parts.push(`priority ${r.priority}`);
  return parts.join(' · ');
}

/** A model's agreement with agents' corrections: "83% (5 of 6)", or "—" before any feedback. */
export function agreementLabel(stats: IntentModel['stats']): string {
  if (!stats || stats.agreement === null || stats.feedback === 0) return '—';
  return `${percent(stats.agreement)} (${stats.agreed} of ${stats.feedback})`;
}
