import express, { Router } from 'express';
import type { ChannelHost, ChannelName, ProviderChannel } from '../contract/index.js';
import { AppError } from '../errors.js';
import { agentOf } from '../auth/middleware.js';
import type { InboxRepo } from '../inboxes/repo.js';
import type { ConversationService } from '../conversations/service.js';
import { toChannelInbox } from './runtime.js';
import { toWireDelivery, type DeliveryRepo } from './deliveries-repo.js';

/**
 * `POST /webhooks/:channel/:inboxId` for provider channels that take webhooks. The URL names
 * no tenant, so the inbox is looked up by id; everything after is scoped by its tenant. The
 * channel verifies the request (401 on a wrong secret, nothing stored) and answers 200 only
 * once the message is durable, so the provider retries anything we did not store.
 */
export function webhookRoutes(deps: { inboxes: InboxRepo; channels: ReadonlyMap<ChannelName, ProviderChannel>; host: ChannelHost }): Router {
  const r = Router();
  r.post('/webhooks/:channel/:inboxId', express.json({ limit: '1mb' }), async (req, res) => {
    const channel = deps.channels.get(req.params.channel as ChannelName);
    if (!channel?.webhook || !/^[A-Za-z0-9_-]{1,64}$/.test(req.params.inboxId)) throw new AppError('SB_ERR_NOT_FOUND');
    const inbox = await deps.inboxes.findForWebhook(channel.name, req.params.inboxId);
    if (!inbox) throw new AppError('SB_ERR_NOT_FOUND');
    const status = await channel.webhook(toChannelInbox(inbox), { headers: req.headers, body: req.body }, deps.host);
    if (status === 401) throw new AppError('SB_ERR_UNAUTHENTICATED', 'The webhook secret token is missing or wrong.');
    if (status === 400) throw new AppError('SB_ERR_BAD_REQUEST', 'Not a valid update.');
    res.status(status).json({ ok: true });
  });
  return r;
}

/** `GET /api/v1/conversations/:id/deliveries`: the delivery state of each outbound message (agents). */
export function deliveryRoutes(deps: { conversations: ConversationService; deliveries: DeliveryRepo }): Router {
  const r = Router();
  r.get('/conversations/:id/deliveries', async (req, res) => {
    const actor = agentOf(res);
    const c = await deps.conversations.accessible(actor, req.params.id);
    const rows = await deps.deliveries.forConversation(actor.tenantId, c.id);
    res.json({ items: rows.map(toWireDelivery), nextCursor: null });
  });
  return r;
}
