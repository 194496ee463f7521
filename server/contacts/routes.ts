import { Router } from 'express';
import { z } from 'zod';
import { AppError } from '../errors.js';
import { parse } from '../http/validate.js';
import { agentOf } from '../auth/middleware.js';
import type { ConversationRepo } from '../conversations/repo.js';
import { toWireConversation } from '../conversations/repo.js';
import type { ContactRepo } from './repo.js';

/** Custom attributes are free-form but bounded, so one contact cannot hold megabytes of JSON. */
const MAX_ATTRIBUTES_BYTES = 16 * 1024;

/** True when `value` serializes to JSON within `max` bytes (deep nesting that cannot serialize fails). */
const fitsJson = (max: number) => (value: unknown) => {
  try {
    return Buffer.byteLength(JSON.stringify(value)) <= max;
  } catch {
    return false;
  }
};

const listQuery = z.object({
  q: z.string().trim().max(200).optional(),
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

const patchBody = z
  .object({
    name: z.string().trim().max(200).nullable().optional(),
    email: z.string().trim().email().max(320).nullable().optional(),
    phone: z.string().trim().max(50).nullable().optional(),
    attributes: z
      .record(z.string().max(100), z.unknown())
      .refine(fitsJson(MAX_ATTRIBUTES_BYTES), { message: `must serialize to at most ${MAX_ATTRIBUTES_BYTES} bytes` })
      .optional(),
  })
  .strict();

/** `/api/v1/contacts`: list, read, edit, and a contact's conversations. */
export function contactRoutes(deps: { contacts: ContactRepo; conversations: ConversationRepo }): Router {
  const r = Router();

  r.get('/contacts', async (req, res) => {
    const q = parse(listQuery, req.query);
    res.json(await deps.contacts.list(agentOf(res).tenantId, { q: q.q, limit: q.limit, cursor: q.cursor }));
  });

  r.get('/contacts/:id', async (req, res) => {
    const contact = await deps.contacts.get(agentOf(res).tenantId, req.params.id);
    if (!contact) throw new AppError('SB_ERR_CONTACT_NOT_FOUND');
    res.json(contact);
  });

  r.patch('/contacts/:id', async (req, res) => {
    const b = parse(patchBody, req.body);
    const contact = await deps.contacts.update(agentOf(res).tenantId, req.params.id, b);
    if (!contact) throw new AppError('SB_ERR_CONTACT_NOT_FOUND');
    res.json(contact);
  });

  r.get('/contacts/:id/conversations', async (req, res) => {
    const tenantId = agentOf(res).tenantId;
    if (!(await deps.contacts.get(tenantId, req.params.id))) throw new AppError('SB_ERR_CONTACT_NOT_FOUND');
    const page = await deps.conversations.list(tenantId, { contactId: req.params.id }, { limit: 200 });
    res.json({ items: page.items.map(toWireConversation), nextCursor: page.nextCursor });
  });

  return r;
}
