import { Router } from 'express';
import { z } from 'zod';
import type { ChannelDefinition, ChannelName } from '../contract/index.js';
import { AppError } from '../errors.js';
import { parse } from '../http/validate.js';
import { agentOf, requireAdmin } from '../auth/middleware.js';
import type { InboxRecord, InboxRepo } from './repo.js';
import { toWireInbox } from './repo.js';
import { createInbox, updateInbox } from './service.js';

/** Body of `POST /api/v1/inboxes` (the CLI applies the same rules). */
export const createInboxSchema = z.object({
  name: z.string().trim().min(1).max(200),
  channel: z.enum(['web', 'telegram', 'slack', 'email']),
  settings: z.record(z.string(), z.unknown()).default({}),
});

const patchInboxSchema = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    settings: z.record(z.string(), z.unknown()).optional(),
  })
  .strict()
  .refine((b) => b.name !== undefined || b.settings !== undefined, { message: 'nothing to change' });

export interface InboxRouteDeps {
  inboxes: InboxRepo;
  channels: ReadonlyMap<ChannelName, ChannelDefinition>;
  publicUrl: () => string;
  /** Called after an inbox is created or changed (provider channels connect it). */
  onSaved?: (inbox: InboxRecord) => Promise<void>;
}

/** `POST/GET/PATCH /api/v1/inboxes`; the channel validates settings on creation and change. */
export function inboxRoutes(deps: InboxRouteDeps): Router {
  const r = Router();
  const wire = (inbox: Parameters<typeof toWireInbox>[0]) =>
    toWireInbox(inbox, deps.publicUrl(), deps.channels.get(inbox.channel)?.usesWebhook ?? false);

  r.post('/inboxes', requireAdmin, async (req, res) => {
    const body = parse(createInboxSchema, req.body);
    const { inbox } = await createInbox(deps.inboxes, deps.channels, agentOf(res).tenantId, body);
    await deps.onSaved?.(inbox);
    res.status(201).json(wire(inbox));
  });

  r.patch('/inboxes/:id', requireAdmin, async (req, res) => {
    const body = parse(patchInboxSchema, req.body);
    const inbox = await updateInbox(deps.inboxes, deps.channels, agentOf(res).tenantId, String(req.params.id), body);
    if (body.settings) await deps.onSaved?.(inbox);
    res.json(wire(inbox));
  });

  r.get('/inboxes', async (_req, res) => {
    const items = await deps.inboxes.list(agentOf(res).tenantId);
    res.json({ items: items.map(wire), nextCursor: null });
  });

  r.get('/inboxes/:id', async (req, res) => {
    const inbox = await deps.inboxes.get(agentOf(res).tenantId, req.params.id);
    if (!inbox) throw new AppError('SB_ERR_INBOX_NOT_FOUND');
    res.json(wire(inbox));
  });

  return r;
}
