import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import { AppError } from '../errors.js';
import { parse } from '../http/validate.js';
import type { AgentRepo } from '../agents/repo.js';
import { agentOf, requireAgent } from './middleware.js';
import { SESSION_COOKIE } from './session-cookie.js';
import { hashPassword, verifyPassword } from './passwords.js';
import type { TokenService } from './tokens.js';

const loginSchema = z.object({
  email: z.string().trim().email().max(320),
  password: z.string().min(1).max(1024),
});

// Compared against when the email is unknown, so both paths cost the same scrypt time.
const decoyHash = hashPassword('decoy password that matches nothing');

/** `POST /api/v1/auth/login`, `POST /api/v1/auth/logout` and `GET /api/v1/auth/me`. */
export function authRoutes(deps: { agents: AgentRepo; tokens: TokenService; loginLimiter: RequestHandler; agentTtlSeconds: number }): Router {
  const r = Router();
  r.post(
    '/auth/login',
    deps.loginLimiter,
    async (req, res) => {
      const { email, password } = parse(loginSchema, req.body);
      const agent = await deps.agents.findByEmail(email);
      const ok = await verifyPassword(password, agent?.passwordHash ?? (await decoyHash));
      if (!agent || !ok) throw new AppError('SB_ERR_INVALID_CREDENTIALS');
      const token = await deps.tokens.signAgent(agent.tenantId, agent.id, agent.role);
      const { passwordHash: _hash, ...publicAgent } = agent;
      // The inbox (same origin) authenticates with this cookie; API clients use the token.
      res.cookie(SESSION_COOKIE, token, {
        httpOnly: true,
        sameSite: 'strict',
        secure: req.secure,
        path: '/',
        maxAge: deps.agentTtlSeconds * 1000,
      });
      res.json({ token, agent: publicAgent });
    },
  );
  r.post('/auth/logout', (req, res) => {
    res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/' });
    res.status(204).end();
  });
  r.get('/auth/me', requireAgent(deps.tokens), async (_req, res) => {
    const actor = agentOf(res);
    const agent = await deps.agents.get(actor.tenantId, actor.id);
    if (!agent) throw new AppError('SB_ERR_INVALID_TOKEN');
    res.json({ ...agent, tenantId: actor.tenantId });
  });
  return r;
}
