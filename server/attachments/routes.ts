import { Router, type Request, type RequestHandler } from 'express';
import type { Actor } from '../contract/index.js';
import { AppError } from '../errors.js';
import { servedInline } from './policy.js';
import type { AttachmentService, Upload } from './service.js';

/** An upload as sent by our clients: the raw file as body, its type as `Content-Type`, `?name=`. */
export function uploadFromRequest(req: Request): Upload {
  const declared = Number(req.headers['content-length']);
  return {
    name: typeof req.query['name'] === 'string' ? req.query['name'] : undefined,
    contentType: req.headers['content-type'],
    declaredLength: Number.isFinite(declared) ? declared : undefined,
    body: req,
  };
}

/** `POST /api/v1/attachments?name=…` for agents (mounted behind the agent token check). */
export function agentAttachmentRoutes(service: AttachmentService, limiter: RequestHandler): Router {
  const r = Router();
  r.post('/attachments', limiter, async (req, res) => {
    res.status(201).json(await service.upload(res.locals['actor'] as Actor, uploadFromRequest(req)));
  });
  return r;
}

/**
 * `GET /attachments/:tenantId/:id/:name`: the stored file. The random id in the URL is the
 * capability, as with most chat products' file links; responses can never run as a page.
 */
export function attachmentFileRoutes(service: AttachmentService): Router {
  const r = Router();
  r.get('/attachments/:tenantId/:id/:name', async (req, res) => {
    const found = await service.open(String(req.params['tenantId']), String(req.params['id']));
    if (!found) throw new AppError('SB_ERR_ATTACHMENT_NOT_FOUND');
    const { row, stream } = found;
    const disposition = servedInline(row.contentType) ? 'inline' : 'attachment';
    res.setHeader('Content-Type', row.contentType.startsWith('text/') ? `${row.contentType}; charset=utf-8` : row.contentType);
    res.setHeader('Content-Length', String(row.size));
    res.setHeader('Content-Disposition', `${disposition}; filename*=UTF-8''${encodeURIComponent(row.name)}`);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
    // The widget shows images on the customer's site, another origin.
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    res.setHeader('Cache-Control', 'private, max-age=86400, immutable');
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  });
  return r;
}
