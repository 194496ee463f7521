import express, { type Express, type RequestHandler, type Router } from 'express';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { errorHandler, notFound } from './errors.js';

export interface HttpAppParts {
  log: Logger;
  metrics: Metrics;
  ops: Router;
  /** Routes under `/api/v1` that need no agent token (login, widget sessions). */
  publicApi: Router[];
  /** Runs before every private `/api/v1` route. */
  requireAgent: RequestHandler;
  /** Routes under `/api/v1` behind `requireAgent`. */
  privateApi: Router[];
  /** Everything else (webhooks, static apps), mounted at `/`. */
  extra?: Router[];
  jsonLimit: string;
}

/** Builds the express app; all wiring decisions are made by the caller. */
export function createHttpApp(p: HttpAppParts): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.use((req, res, next) => {
    const started = performance.now();
    res.on('finish', () => {
      const route = (req.route?.path as string | undefined) ? `${req.baseUrl}${req.route.path}` : 'unmatched';
      p.metrics.httpRequests.inc({ method: req.method, route, status: String(res.statusCode) });
      p.metrics.httpDuration.observe({ method: req.method, route }, (performance.now() - started) / 1000);
    });
    next();
  });

  app.use(p.ops);
  for (const r of p.extra ?? []) app.use(r);

  const api = express.Router();
  api.use(express.json({ limit: p.jsonLimit }));
  for (const r of p.publicApi) api.use(r);
  api.use(p.requireAgent);
  for (const r of p.privateApi) api.use(r);
  app.use('/api/v1', api);

  app.get('/', (_req, res) => {
    res.json({ name: 'switchboard', api: '/api/v1', ws: '/ws', health: '/healthz' });
  });
  app.use(notFound);
  app.use(errorHandler(p.log));
  return app;
}
