import { Router } from 'express';
import { z } from 'zod';
import { AppError } from '../errors.js';
import { parse } from '../http/validate.js';
import { agentOf, requireAdmin } from '../auth/middleware.js';
import { hashPassword } from '../auth/passwords.js';
import type { AgentRepo } from './repo.js';
import type { Presence } from '../presence/presence.js';
import { agentAvailability } from './availability.js';

/** Body of `POST /api/v1/agents` (the CLI applies the same rules). */
export const createAgentSchema = z.object({
  email: z.string().trim().email().max(320),
  name: z.string().trim().min(1).max(200),
  password: z.string().min(8).max(1024),
  role: z.enum(['admin', 'agent']).default('agent'),
});
const createTeam = z.object({ name: z.string().trim().min(1).max(200) });
const availabilityBody = z.object({ status: z.enum(['online', 'away']) }).strict();
const setMembers = z.object({ agentIds: z.array(z.string().max(40)).max(1000) });

/** Agents and teams. Every agent may list them (to assign); only admins change them. */
export function agentRoutes(deps: { agents: AgentRepo; presence: Presence }): Router {
  const r = Router();

  /** Agents connected right now on any node: `online` take conversations, `away` do not (routing uses this). */
  r.get('/presence', async (_req, res) => {
    res.json(await agentAvailability(deps.presence, deps.agents, agentOf(res).tenantId));
  });

  /** The caller's own availability. */
  r.put('/presence/me', async (req, res) => {
    const { status } = parse(availabilityBody, req.body);
    const actor = agentOf(res);
    if (!(await deps.agents.setAvailability(actor.tenantId, actor.id, status))) throw new AppError('SB_ERR_AGENT_NOT_FOUND');
    res.json({ status });
  });

  r.get('/agents', async (_req, res) => {
    res.json({ items: await deps.agents.list(agentOf(res).tenantId), nextCursor: null });
  });

  r.post('/agents', requireAdmin, async (req, res) => {
    const b = parse(createAgentSchema, req.body);
    const agent = await deps.agents.create(agentOf(res).tenantId, {
      email: b.email,
      name: b.name,
      role: b.role,
      passwordHash: await hashPassword(b.password),
    });
    res.status(201).json(agent);
  });

  r.get('/teams', async (_req, res) => {
    res.json({ items: await deps.agents.listTeams(agentOf(res).tenantId), nextCursor: null });
  });

  r.post('/teams', requireAdmin, async (req, res) => {
    const b = parse(createTeam, req.body);
    res.status(201).json(await deps.agents.createTeam(agentOf(res).tenantId, b.name));
  });

  r.put('/teams/:id/members', requireAdmin, async (req, res) => {
    const tenantId = agentOf(res).tenantId;
    const teamId = String(req.params.id);
    const b = parse(setMembers, req.body);
    if (!(await deps.agents.teamExists(tenantId, teamId))) throw new AppError('SB_ERR_TEAM_NOT_FOUND');
    for (const id of b.agentIds) {
      if (!(await deps.agents.get(tenantId, id))) throw new AppError('SB_ERR_AGENT_NOT_FOUND', `Agent ${id} not found.`);
    }
    await deps.agents.setTeamMembers(tenantId, teamId, b.agentIds);
    res.status(204).end();
  });

  return r;
}
