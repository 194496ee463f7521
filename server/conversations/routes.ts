import { Router } from 'express';
import { AppError } from '../errors.js';
import { parse } from '../http/validate.js';
import { agentOf } from '../auth/middleware.js';
import type { AttachmentService } from '../attachments/service.js';
import type { ConversationService } from './service.js';
import type { ConversationPatch } from './repo.js';
import { toWireConversation } from './repo.js';
import { listQuery, messagesQuery, patchBody, postMessageBody } from './schema.js';

/** Conversation and message routes of the agent API (mounted behind `requireAgent`). */
export function conversationRoutes(deps: { conversations: ConversationService; attachments: AttachmentService; maxMessageChars: number }): Router {
  const r = Router();
  const svc = deps.conversations;
  const sendSchema = postMessageBody(deps.maxMessageChars);

  r.get('/conversations', async (req, res) => {
    const q = parse(listQuery, req.query);
    const actor = agentOf(res);
    const assigneeId = q.assignee === 'me' ? actor.id : q.assignee === 'unassigned' ? null : q.assignee;
    const page = await svc.list(
      actor,
      { status: q.status, inboxId: q.inboxId, channel: q.channel, teamId: q.teamId, contactId: q.contactId, assigneeId, intent: q.intent, triage: q.triage },
      { limit: q.limit, cursor: q.cursor, sort: q.sort },
    );
    res.json({ items: await svc.withUnread(actor, page.items), nextCursor: page.nextCursor });
  });

  r.get('/conversations/:id', async (req, res) => {
    const actor = agentOf(res);
    const [conversation] = await svc.withUnread(actor, [await svc.accessible(actor, req.params.id)]);
    res.json(conversation);
  });

  r.patch('/conversations/:id', async (req, res) => {
    const b = parse(patchBody, req.body);
    const patch: ConversationPatch = {};
    if (b.status !== undefined) patch.status = b.status;
    if (b.assigneeId !== undefined) patch.assigneeId = b.assigneeId;
    if (b.teamId !== undefined) patch.teamId = b.teamId;
    if (b.priority !== undefined) patch.priority = b.priority;
    if (b.snoozedUntil !== undefined) patch.snoozedUntil = b.snoozedUntil === null ? null : Date.parse(b.snoozedUntil);
    res.json(toWireConversation(await svc.update(agentOf(res), req.params.id, patch)));
  });

  r.get('/conversations/:id/messages', async (req, res) => {
    const q = parse(messagesQuery, req.query);
    let { after, before } = q;
    if (q.cursor) {
      const m = /^(after|before):(\d+)$/.exec(q.cursor);
      if (!m) throw new AppError('SB_ERR_VALIDATION', 'cursor: malformed');
      if (m[1] === 'after') after = Number(m[2]);
      else before = Number(m[2]);
    }
    const page = await svc.history(agentOf(res), req.params.id, { after, before, limit: q.limit });
    const edge = after !== undefined ? page.messages[page.messages.length - 1] : page.messages[0];
    const nextCursor = page.more && edge ? `${after !== undefined ? 'after' : 'before'}:${edge.seq}` : null;
    res.json({ items: page.messages, nextCursor });
  });

  r.post('/conversations/:id/messages', async (req, res) => {
    const b = parse(sendSchema, req.body);
    const clientId = b.clientId ?? req.header('idempotency-key') ?? undefined;
    const actor = agentOf(res);
    const result = await svc.sendAsAgent(actor, {
      conversationId: req.params.id,
      body: b.body,
      private: b.private,
      clientId,
      attachments: await deps.attachments.forMessage(actor, b.attachments),
      replyToSeq: b.replyToSeq,
    });
    res.status(result.duplicate ? 200 : 201).json(result.message);
  });

  return r;
}
