import { Router } from 'express';
import { z } from 'zod';
import { AppError } from '../errors.js';
import { parse } from '../http/validate.js';
import { agentOf, requireAdmin } from '../auth/middleware.js';
import type { CannedResponseRepo } from './repo.js';

const shortCode = z.string().trim().min(1).max(50).regex(/^[\p{L}\p{N}_-]+$/u, 'letters, digits, _ and - only');
const content = z.string().trim().min(1).max(10_000);
const createBody = z.object({ shortCode, content }).strict();
const patchBody = z
  .object({ shortCode: shortCode.optional(), content: content.optional() })
  .strict()
  .refine((b) => b.shortCode !== undefined || b.content !== undefined, { message: 'nothing to change' });
const listQuery = z.object({ q: z.string().max(100).optional() });

/** `/api/v1/canned-responses`: every agent reads them (the `/` picker); admins manage them. */
export function cannedResponseRoutes(repo: CannedResponseRepo): Router {
  const r = Router();
  const notFound = () => new AppError('SB_ERR_NOT_FOUND', 'Canned response not found.');

  r.get('/canned-responses', async (req, res) => {
    const { q } = parse(listQuery, req.query);
    res.json({ items: await repo.list(agentOf(res).tenantId, q), nextCursor: null });
  });

  r.post('/canned-responses', requireAdmin, async (req, res) => {
    res.status(201).json(await repo.create(agentOf(res).tenantId, parse(createBody, req.body)));
  });

  r.patch('/canned-responses/:id', requireAdmin, async (req, res) => {
    const updated = await repo.update(agentOf(res).tenantId, String(req.params['id']), parse(patchBody, req.body));
    if (!updated) throw notFound();
    res.json(updated);
  });

  r.delete('/canned-responses/:id', requireAdmin, async (req, res) => {
    if (!(await repo.remove(agentOf(res).tenantId, String(req.params['id'])))) throw notFound();
    res.status(204).end();
  });

  return r;
}
