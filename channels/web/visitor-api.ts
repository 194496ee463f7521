import { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import { AppError, type VisitorActor, type WebChannelHost } from '../../server/contract/index.js';
import { originAllowed, publicInbox, readWebSettings } from './config.js';

const WIDGET_PATHS = ['/widget/sessions', '/widget/inbox', '/widget/conversations', '/widget/contact', '/widget/attachments'];

/**
 * CORS for the widget API: the widget runs on the customer's site, another origin. Preflights
 * are answered for any origin; the allowed-origin decision is made on the request itself, and
 * only an allowed origin gets `Access-Control-Allow-Origin` back.
 */
export function widgetPreflight(): Router {
  const r = Router();
  r.options(WIDGET_PATHS, (req, res) => {
    res.setHeader('Access-Control-Allow-Origin', req.headers.origin ?? '*');
    res.setHeader('Access-Control-Allow-Methods', 'GET, POST, PATCH');
    res.setHeader('Access-Control-Allow-Headers', 'authorization, content-type');
    res.setHeader('Access-Control-Max-Age', '600');
    res.setHeader('Vary', 'Origin');
    res.status(204).end();
  });
  return r;
}

/** Echoes an allowed origin so the browser lets the widget read the response. */
export function allowOrigin(res: Response, origin: string | undefined): void {
  if (!origin) return;
  res.setHeader('Access-Control-Allow-Origin', origin);
  res.setHeader('Vary', 'Origin');
}

/** Authenticates a visitor token and checks the page's origin against its inbox. */
function requireVisitor(host: WebChannelHost): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const h = req.headers.authorization;
    // Let the widget read auth errors (it starts a new session on 401); refused origins get nothing.
    allowOrigin(res, req.headers.origin);
    if (!h?.startsWith('Bearer ')) return next(new AppError('SB_ERR_UNAUTHENTICATED'));
    const actor = await host.verifyVisitor(h.slice(7).trim());
    const inbox = await host.getWebInbox(actor.tenantId, actor.inboxId);
    if (!inbox) return next(new AppError('SB_ERR_INBOX_NOT_FOUND'));
    if (!originAllowed(readWebSettings(inbox.settings), req.headers.origin)) {
      res.removeHeader('Access-Control-Allow-Origin');
      return next(new AppError('SB_ERR_ORIGIN_NOT_ALLOWED'));
    }
    res.locals['visitor'] = actor;
    next();
  };
}

const visitorOf = (res: Response): VisitorActor => res.locals['visitor'] as VisitorActor;

const attributeValue = z.union([z.string().max(1000), z.number(), z.boolean(), z.null()]);
const contactPatch = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    email: z.email().max(320).optional(),
    attributes: z
      .record(z.string().min(1).max(100), attributeValue)
      .refine((a) => Object.keys(a).length <= 50, { message: 'at most 50 attributes' })
      .optional(),
  })
  .strict();

/**
 * The visitor's own API, used by the widget with its visitor token: its conversations, its
 * contact details (pre-chat form, `setAttributes`) and file uploads.
 */
export function visitorRoutes(host: WebChannelHost, uploadLimiter: RequestHandler): Router {
  const r = Router();
  const auth = requireVisitor(host);

  // Settings change while a returning visitor keeps its token: the widget asks on every connect.
  r.get('/widget/inbox', auth, async (_req, res) => {
    const actor = visitorOf(res);
    const inbox = await host.getWebInbox(actor.tenantId, actor.inboxId);
    if (!inbox) throw new AppError('SB_ERR_INBOX_NOT_FOUND');
    res.json(publicInbox(inbox, await host.agentsOnline(actor.tenantId), host.maxUploadBytes));
  });

  r.get('/widget/conversations', auth, async (_req, res) => {
    res.json({ items: await host.visitorConversations(visitorOf(res)), nextCursor: null });
  });

  r.patch('/widget/contact', auth, async (req, res) => {
    const parsed = contactPatch.safeParse(req.body ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new AppError('SB_ERR_VALIDATION', `${issue.path.join('.') || 'body'}: ${issue.message}`);
    }
    const actor = visitorOf(res);
    const contact = await host.updateContact(actor.tenantId, actor.id, parsed.data);
    if (!contact) throw new AppError('SB_ERR_CONTACT_NOT_FOUND');
    res.json({ id: contact.id, name: contact.name, email: contact.email, attributes: contact.attributes });
  });

  r.post('/widget/attachments', auth, uploadLimiter, async (req, res) => {
    const declared = Number(req.headers['content-length']);
    const file = {
      name: typeof req.query['name'] === 'string' ? req.query['name'] : undefined,
      contentType: req.headers['content-type'],
      declaredLength: Number.isFinite(declared) ? declared : undefined,
      body: req,
    };
    res.status(201).json(await host.uploadAttachment(visitorOf(res), file));
  });

  return r;
}
