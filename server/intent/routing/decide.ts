import type { ConversationPatch, ConversationRecord } from '../../conversations/repo.js';
import type { RoutingRule, RoutingSettings } from './rules.js';

export interface ScoredIntent {
  intent: string;
  confidence: number;
}

/** What routing does with one classified customer message, and the timeline line saying so. */
export interface RoutingOutcome {
  patch: ConversationPatch;
  /** For the conversation's timeline (agents only); null when nothing visible changed. */
  note: string | null;
  rule: RoutingRule | null;
}

const percent = (c: number) => `${Math.round(c * 100)}%`;

/** The first rule for this intent whose confidence bar the prediction clears. */
export function matchRule(p: ScoredIntent, rules: readonly RoutingRule[], settings: RoutingSettings): RoutingRule | undefined {
  return rules.find((r) => r.intent === p.intent && p.confidence >= (r.minConfidence ?? settings.triageThreshold));
}

/**
 * Decides what a prediction changes on its conversation. Only a conversation nobody has routed
 * yet (no assignee, no rule applied) is moved: routing must never pull a conversation away from
 * the agent already on it. An unsure prediction leaves the conversation's intent as it was, and
 * once an agent has set the intent the model neither changes it nor routes by its own guess.
 * While no confident intent is known, the conversation waits in triage for a human.
 */
export function decideRouting(c: ConversationRecord, p: ScoredIntent, rules: readonly RoutingRule[], settings: RoutingSettings): RoutingOutcome {
  const confident = p.confidence >= settings.triageThreshold;
  const routable = c.assigneeId === null && c.routedByRule === null && c.status !== 'resolved';
  // An agent's word (confidence 1) outranks the model; a repeat of the known intent changes nothing.
  const agentSet = c.intentConfidence !== null && c.intentConfidence >= 1;
  const patch: ConversationPatch = confident && !agentSet && p.intent !== c.intent ? { intent: p.intent, intentConfidence: p.confidence } : {};
  if (!routable) return { patch, note: null, rule: null };

  const rule = confident && !agentSet ? matchRule(p, rules, settings) : undefined;
  if (rule) {
    Object.assign(patch, routeBy(rule), { triage: false });
    return { patch, note: `Routed by intent ${p.intent} (${percent(p.confidence)})`, rule };
  }
  if (confident) {
    if (c.triage) patch.triage = false;
    return { patch, note: null, rule: null };
  }
  if (c.intent !== null || c.triage) return { patch, note: null, rule: null };
  patch.triage = true;
  if (settings.triageTeamId) patch.teamId = settings.triageTeamId;
  // No timeline line: the triage flag says it, and most first messages ("hi") are unclear, so
  // a line each would crowd every conversation's start.
  return { patch, note: null, rule: null };
}

/** `patch` without the fields that already hold those values (so a repeat writes and announces nothing). */
export function effectiveChanges(c: ConversationRecord, patch: ConversationPatch): ConversationPatch {
  const out: ConversationPatch = {};
  for (const [key, value] of Object.entries(patch) as [keyof ConversationPatch, unknown][]) {
    if ((c as unknown as Record<string, unknown>)[key] !== value) (out as Record<string, unknown>)[key] = value;
  }
  return out;
}

/** The conversation fields a rule sets. */
export function routeBy(rule: RoutingRule): ConversationPatch {
  const patch: ConversationPatch = { routedByRule: rule.id };
  if (rule.teamId) patch.teamId = rule.teamId;
  if (rule.assigneeId) patch.assigneeId = rule.assigneeId;
  if (rule.priority) patch.priority = rule.priority;
  return patch;
}
