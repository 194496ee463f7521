import { Router } from 'express';
import { stringify } from 'csv-stringify';
import { z } from 'zod';
import { AppError } from '../../errors.js';
import { parse } from '../../http/validate.js';
import { agentOf, requireAdmin } from '../../auth/middleware.js';
import type { AgentRepo } from '../../agents/repo.js';
import { toWireConversation } from '../../conversations/repo.js';
import type { IntentCorrections } from './corrections.js';
import type { IntentFeedbackRepo } from './feedback.js';
import type { RoutingRuleRepo, RuleInput } from './rules.js';

/** Intent labels are identifiers ("order_status"), in any script. */
const intentLabel = z.string().trim().min(1).max(100).regex(/^[\p{L}\p{N}_.-]+$/u, 'letters, digits, _ . and - only');
const confidence = z.number().min(0).max(1);
const id = z.string().min(1).max(40);
const priority = z.enum(['none', 'low', 'medium', 'high', 'urgent']);

const ruleFields = {
  intent: intentLabel,
  minConfidence: confidence.nullable().optional(),
  teamId: id.nullable().optional(),
  assigneeId: id.nullable().optional(),
  priority: priority.nullable().optional(),
  position: z.number().int().min(0).max(100_000).optional(),
};
const hasAction = (b: { teamId?: string | null | undefined; assigneeId?: string | null | undefined; priority?: string | null | undefined }) =>
  Boolean(b.teamId || b.assigneeId || b.priority);
const createRule = z.object(ruleFields).strict().refine(hasAction, { message: 'a rule needs teamId, assigneeId or priority', path: ['teamId'] });
const patchRule = z
  .object({ ...ruleFields, intent: intentLabel.optional() })
  .strict()
  .refine((b) => Object.keys(b).length > 0, { message: 'nothing to change' });
const settingsBody = z.object({ triageThreshold: confidence, triageTeamId: id.nullable().default(null) }).strict();
const correctionBody = z.object({ intent: intentLabel, seq: z.number().int().min(1).optional() }).strict();
const feedbackQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(100), cursor: z.string().max(300).optional(), format: z.enum(['json', 'csv']).default('json') });

export interface IntentRoutingRouteDeps {
  rules: RoutingRuleRepo;
  feedback: IntentFeedbackRepo;
  corrections: IntentCorrections;
  agents: AgentRepo;
  /** Labels the tenant's models know (what the inbox offers when correcting). */
  labels: (tenantId: string) => Promise<string[]>;
}

/**
 * Intent routing under `/api/v1` (behind agent auth): rules `/intent/rules`, triage settings
 * `/intent/settings`, model labels `/intent/labels`, corrections
 * `PUT /conversations/:id/intent`, and the corrections as training data `/intent/feedback`
 * (`?format=csv` gives `text,label` rows for `switchboard intent train`). Agents read and
 * correct; admins change rules and settings and export feedback.
 */
export function intentRoutingRoutes(deps: IntentRoutingRouteDeps): Router {
  const r = Router();
  const ruleNotFound = () => new AppError('SB_ERR_RULE_NOT_FOUND');

  async function checkTargets(tenantId: string, b: { teamId?: string | null | undefined; assigneeId?: string | null | undefined }): Promise<void> {
    if (b.teamId && !(await deps.agents.teamExists(tenantId, b.teamId))) throw new AppError('SB_ERR_TEAM_NOT_FOUND');
    if (b.assigneeId && !(await deps.agents.get(tenantId, b.assigneeId))) throw new AppError('SB_ERR_AGENT_NOT_FOUND');
  }

  r.get('/intent/rules', async (_req, res) => {
    res.json({ items: await deps.rules.list(agentOf(res).tenantId), nextCursor: null });
  });

  r.post('/intent/rules', requireAdmin, async (req, res) => {
    const { tenantId } = agentOf(res);
    const b = parse(createRule, req.body);
    await checkTargets(tenantId, b);
    const input: RuleInput = { intent: b.intent, minConfidence: b.minConfidence ?? null, teamId: b.teamId ?? null, assigneeId: b.assigneeId ?? null, priority: b.priority ?? null };
    res.status(201).json(await deps.rules.create(tenantId, input, b.position));
  });

  r.get('/intent/rules/:id', async (req, res) => {
    const rule = await deps.rules.get(agentOf(res).tenantId, String(req.params['id']));
    if (!rule) throw ruleNotFound();
    res.json(rule);
  });

  r.patch('/intent/rules/:id', requireAdmin, async (req, res) => {
    const { tenantId } = agentOf(res);
    const b = parse(patchRule, req.body);
    await checkTargets(tenantId, b);
    const before = await deps.rules.get(tenantId, String(req.params['id']));
    if (!before) throw ruleNotFound();
    if (!hasAction({ teamId: b.teamId !== undefined ? b.teamId : before.teamId, assigneeId: b.assigneeId !== undefined ? b.assigneeId : before.assigneeId, priority: b.priority !== undefined ? b.priority : before.priority })) {
      throw new AppError('SB_ERR_VALIDATION', 'a rule needs teamId, assigneeId or priority');
    }
    const patch: Partial<RuleInput> & { position?: number } = {};
    for (const key of ['intent', 'minConfidence', 'teamId', 'assigneeId', 'priority', 'position'] as const) {
      if (b[key] !== undefined) (patch as Record<string, unknown>)[key] = b[key];
    }
    res.json(await deps.rules.update(tenantId, before.id, patch));
  });

  r.delete('/intent/rules/:id', requireAdmin, async (req, res) => {
    if (!(await deps.rules.remove(agentOf(res).tenantId, String(req.params['id'])))) throw ruleNotFound();
    res.status(204).end();
  });

  r.get('/intent/settings', async (_req, res) => {
    res.json(await deps.rules.settings(agentOf(res).tenantId));
  });

  r.put('/intent/settings', requireAdmin, async (req, res) => {
    const { tenantId } = agentOf(res);
    const b = parse(settingsBody, req.body);
    if (b.triageTeamId && !(await deps.agents.teamExists(tenantId, b.triageTeamId))) throw new AppError('SB_ERR_TEAM_NOT_FOUND');
    res.json(await deps.rules.putSettings(tenantId, b));
  });

  r.get('/intent/labels', async (_req, res) => {
    res.json({ items: await deps.labels(agentOf(res).tenantId), nextCursor: null });
  });

  r.put('/conversations/:id/intent', async (req, res) => {
    const updated = await deps.corrections.correct(agentOf(res), String(req.params['id']), parse(correctionBody, req.body));
    res.json(toWireConversation(updated));
  });

  r.get('/intent/feedback', requireAdmin, async (req, res) => {
    const { tenantId } = agentOf(res);
    const q = parse(feedbackQuery, req.query);
    if (q.format === 'json') {
      res.json(await deps.feedback.list(tenantId, { limit: q.limit, cursor: q.cursor }));
      return;
    }
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', 'attachment; filename="intent-feedback.csv"');
    const csv = stringify({ header: true, columns: ['text', 'label'] });
    csv.pipe(res);
    for await (const row of deps.feedback.trainingRows(tenantId)) {
      if (!csv.write(row)) await new Promise((resolve) => csv.once('drain', resolve));
    }
    csv.end();
  });

  return r;
}
