import type { Request, RequestHandler, Response } from 'express';
import type { Actor } from '../contract/index.js';
import { AppError } from '../errors.js';
import { sameOrigin, sessionFromCookie } from './session-cookie.js';
import type { TokenService } from './tokens.js';

export type AgentActor = Extract<Actor, { type: 'agent' }>;

/** Bearer token of `Authorization`, or undefined. */
export function bearer(req: Request): string | undefined {
  const h = req.headers.authorization;
  return h?.startsWith('Bearer ') ? h.slice(7).trim() : undefined;
}

/** Requires an agent token (Bearer, or the inbox's session cookie); the actor lands in `res.locals.actor`. */
export function requireAgent(tokens: TokenService): RequestHandler {
  return async (req, res, next) => {
    let token = bearer(req);
    if (!token) {
      token = sessionFromCookie(req);
      if (token && !sameOrigin(req)) return next(new AppError('SB_ERR_FORBIDDEN', 'Cross-origin requests cannot use the session cookie.'));
    }
    if (!token) return next(new AppError('SB_ERR_UNAUTHENTICATED'));
    const actor = await tokens.verify(token);
    if (actor.type !== 'agent') return next(new AppError('SB_ERR_FORBIDDEN', 'An agent token is required.'));
    res.locals['actor'] = actor;
    next();
  };
}

/** Must follow `requireAgent`. */
export const requireAdmin: RequestHandler = (_req, res, next) => {
  if (agentOf(res).role !== 'admin') return next(new AppError('SB_ERR_FORBIDDEN', 'Admins only.'));
  next();
};

export const agentOf = (res: Response): AgentActor => res.locals['actor'] as AgentActor;
