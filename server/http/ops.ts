import { Router } from 'express';
import type { Metrics } from '../metrics.js';

/** `/healthz` (process up), `/readyz` (database answers, not draining), `/metrics` (Prometheus). */
export function opsRoutes(deps: { metrics: Metrics; ready: () => Promise<boolean> }): Router {
  const r = Router();
  r.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  r.get('/readyz', async (_req, res) => {
    const ok = await deps.ready().catch(() => false);
    res.status(ok ? 200 : 503).json({ status: ok ? 'ready' : 'not ready' });
  });
  r.get('/metrics', async (_req, res) => {
    res.setHeader('Content-Type', deps.metrics.registry.contentType);
    res.send(await deps.metrics.registry.metrics());
  });
  return r;
}
