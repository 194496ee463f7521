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

/** Message text that may be empty because the message carries files instead. */
export const messageText = (maxChars: number) =>
  z
    .string()
    .trim()
    .max(maxChars)
    .refine((b) => !b.includes('\u0000'), { message: 'must not contain NUL characters' });

/** Ids of uploaded attachments (`POST …/attachments`) to put on a message. */
export const attachmentIds = z.array(z.string().min(1).max(64)).max(10);

/** The seq of the message (same conversation) a new message answers. */
export const replyToSeq = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

/** A message needs text or at least one file. Safe on unvalidated input (zod runs it regardless). */
export const hasContent = (v: { body?: unknown; attachments?: unknown }): boolean =>
  (typeof v.body === 'string' && v.body.length > 0) || (Array.isArray(v.attachments) && v.attachments.length > 0);

const emptyMessage = { message: 'must not be empty without attachments', path: ['body'] };

const limit = z.coerce.number().int().min(1).max(200).default(50);

export const listQuery = z.object({
  status: z.enum(STATUSES).optional(),
  inboxId: z.string().max(40).optional(),
  channel: z.enum(CHANNELS).optional(),
  teamId: z.string().max(40).optional(),
  contactId: z.string().max(40).optional(),
  /** `me`, `unassigned`, or an agent id. */
  assignee: z.string().max(40).optional(),
  intent: z.string().max(100).optional(),
  /** `true`: only conversations waiting for a human to route them. */
  triage: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  sort: z.enum(['activity', 'waiting']).default('activity'),
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
  z
    .object({
      body: messageText(maxChars).default(''),
      private: z.boolean().optional(),
      clientId: z.string().min(1).max(100).optional(),
      attachments: attachmentIds.optional(),
      replyToSeq: replyToSeq.optional(),
    })
    .refine(hasContent, emptyMessage);

/** `message.send` over WebSocket: the same rules as the REST post. */
export const sendFrameBody = (maxChars: number) =>
  z
    .object({
      type: z.literal('message.send'),
      clientId: z.string().min(1).max(100),
      conversationId: z.string().min(1).max(40).optional(),
      body: messageText(maxChars).default(''),
      private: z.boolean().optional(),
      attachments: attachmentIds.optional(),
      replyToSeq: replyToSeq.optional(),
    })
    .refine(hasContent, emptyMessage);

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
