import { Router } from 'express';
import { z } from 'zod';
import { parse } from '../http/validate.js';
import { agentOf } from '../auth/middleware.js';
import type { SearchRepo } from './repo.js';

const searchQuery = z.object({
  q: z.string().trim().min(1).max(200),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

/** `GET /api/v1/search?q=…`: messages (private notes included: agents only) and contacts' conversations. */
export function searchRoutes(repo: SearchRepo): Router {
  const r = Router();
  r.get('/search', async (req, res) => {
    const { q, limit } = parse(searchQuery, req.query);
    res.json({ items: await repo.search(agentOf(res).tenantId, q, limit), nextCursor: null });
  });
  return r;
}
