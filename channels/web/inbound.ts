import crypto from 'node:crypto';
import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import { AppError, type WebChannelHost } from '../../server/contract/index.js';
import { originAllowed, publicInbox, readWebSettings } from './config.js';
import { verifyIdentityHash } from './identity.js';
import { allowOrigin } from './visitor-api.js';

const sessionSchema = z.object({
  inbox: z.string().min(1).max(64),
  visitorId: z.string().min(1).max(64).optional(),
  identity: z
    .object({
      id: z.string().min(1).max(200),
      email: z.string().email().max(320).optional(),
      name: z.string().max(200).optional(),
      hash: z.string().max(128).optional(),
    })
    .optional(),
});

/**
 * `POST /api/v1/widget/sessions`: turns a website token (plus an optional returning visitor id
 * and optional host-verified identity) into a visitor token scoped to one contact.
 */
export function widgetSessionRoutes(host: WebChannelHost, limiter: RequestHandler): Router {
  const r = Router();

  r.post('/widget/sessions', limiter, async (req, res) => {
    const parsed = sessionSchema.safeParse(req.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new AppError('SB_ERR_VALIDATION', `${issue.path.join('.') || 'body'}: ${issue.message}`);
    }
    const body = parsed.data;
    const inbox = await host.findWebInbox(body.inbox);
    if (!inbox) throw new AppError('SB_ERR_INBOX_NOT_FOUND');
    const settings = readWebSettings(inbox.settings);
    const origin = req.headers.origin;
    if (!originAllowed(settings, origin)) throw new AppError('SB_ERR_ORIGIN_NOT_ALLOWED');
    allowOrigin(res, origin);

    const secret = inbox.secrets['identitySecret'];
    const identity = body.identity;
    let verified = false;
    if (identity?.hash !== undefined || (identity && settings.requireIdentity)) {
      if (!secret || !identity.hash || !verifyIdentityHash(identity.id, identity.hash, secret)) {
        throw new AppError('SB_ERR_IDENTITY_INVALID');
      }
      verified = true;
    }
    const fields = { name: identity?.name, email: identity?.email };

    let visitorId: string;
    let contactId: string;
    if (verified && identity) {
      // A verified user is the same contact on every device; the visitor id is still ours to mint.
      visitorId = crypto.randomUUID();
      ({ contactId } = await host.resolveContact(inbox.tenantId, { inboxId: inbox.inboxId, channel: 'web', externalId: `user:${identity.id}` }, fields));
    } else {
      const existing = body.visitorId
        ? await host.findContact(inbox.tenantId, inbox.inboxId, `visitor:${body.visitorId}`)
        : undefined;
      // An unknown visitor id is not adopted: ids are minted here so nobody can pick one.
      visitorId = existing ? body.visitorId! : crypto.randomUUID();
      contactId =
        existing ??
        (await host.resolveContact(inbox.tenantId, { inboxId: inbox.inboxId, channel: 'web', externalId: `visitor:${visitorId}` }, fields))
          .contactId;
    }
    if (identity && (fields.name || fields.email)) await host.updateContact(inbox.tenantId, contactId, fields);
    const token = await host.issueVisitorToken(inbox.tenantId, contactId, inbox.inboxId);
    const agentsOnline = await host.agentsOnline(inbox.tenantId);
    res.status(201).json({ visitorId, token, contactId, inbox: publicInbox(inbox, agentsOnline, host.maxUploadBytes) });
  });

  return r;
}
