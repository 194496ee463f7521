import { Router } from 'express';
import { z } from 'zod';
import type { ChannelDefinition, ChannelName } from '../contract/index.js';
import { AppError } from '../errors.js';
import { parse } from '../http/validate.js';
import { agentOf, requireAdmin } from '../auth/middleware.js';
import { randomSecret } from '../ids.js';
import type { InboxRepo } from './repo.js';
import { toWireInbox } from './repo.js';

const createSchema = z.object({
  name: z.string().trim().min(1).max(200),
  channel: z.enum(['web', 'telegram', 'slack', 'email']),
  settings: z.record(z.string(), z.unknown()).default({}),
});

export interface InboxRouteDeps {
  inboxes: InboxRepo;
  channels: ReadonlyMap<ChannelName, ChannelDefinition>;
  publicUrl: () => string;
}

/** `POST/GET /api/v1/inboxes`; creation asks the channel to validate its settings. */
export function inboxRoutes(deps: InboxRouteDeps): Router {
  const r = Router();
  const wire = (inbox: Parameters<typeof toWireInbox>[0]) =>
    toWireInbox(inbox, deps.publicUrl(), deps.channels.get(inbox.channel)?.usesWebhook ?? false);

  r.post('/inboxes', requireAdmin, async (req, res) => {
    const body = parse(createSchema, req.body);
    const channel = deps.channels.get(body.channel);
    if (!channel) throw new AppError('SB_ERR_CHANNEL_UNSUPPORTED', `The ${body.channel} channel is not available on this server yet.`);
    const setup = await channel.prepareInbox(body.settings);
    if (!setup.ok) {
      throw new AppError('SB_ERR_VALIDATION', `settings.${setup.field}: ${setup.message}`, {
        fields: [{ path: `settings.${setup.field}`, message: setup.message }],
      });
    }
    const inbox = await deps.inboxes.create(agentOf(res).tenantId, {
      name: body.name,
      channel: body.channel,
      settings: setup.settings,
      secrets: setup.secrets,
      websiteToken: body.channel === 'web' ? randomSecret(18) : null,
    });
    res.status(201).json(wire(inbox));
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
