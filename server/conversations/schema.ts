import { z } from 'zod';

export const STATUSES = ['open', 'pending', 'snoozed', 'resolved'] as const;
export const PRIORITIES = ['none', 'low', 'medium', 'high', 'urgent'] as const;
export const CHANNELS = ['web', 'telegram', 'slack', 'email'] as const;

/**
 * A message body: trimmed, non-empty, bounded, and free of NUL characters, which PostgreSQL
 * text cannot store (SQLite could, so the two would disagree).
 */
export const messageBody = (maxChars: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(maxChars)
    .refine((b) => !b.includes('\u0000'), { message: 'must not contain NUL characters' });

const limit = z.coerce.number().int().min(1).max(200).default(50);

export const listQuery = z.object({
  status: z.enum(STATUSES).optional(),
  inboxId: z.string().max(40).optional(),
  channel: z.enum(CHANNELS).optional(),
  teamId: z.string().max(40).optional(),
  contactId: z.string().max(40).optional(),
  /** `me`, `unassigned`, or an agent id. */
  assignee: z.string().max(40).optional(),
  cursor: z.string().max(500).optional(),
  limit,
});

export const messagesQuery = z
  .object({
    after: z.coerce.number().int().min(0).optional(),
    before: z.coerce.number().int().min(1).optional(),
    cursor: z.string().max(100).optional(),
    limit,
  })
  .refine((q) => !(q.after !== undefined && q.before !== undefined), { message: 'use after or before, not both' });

export const postMessageBody = (maxChars: number) =>
  z.object({
    body: messageBody(maxChars),
    private: z.boolean().optional(),
    clientId: z.string().min(1).max(100).optional(),
  });

export const patchBody = z
  .object({
    status: z.enum(STATUSES).optional(),
    assigneeId: z.string().max(40).nullable().optional(),
    teamId: z.string().max(40).nullable().optional(),
    priority: z.enum(PRIORITIES).optional(),
    snoozedUntil: z.string().datetime().nullable().optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, { message: 'nothing to change' });
