import { z } from 'zod';
import type { ClientFrameType } from '../contract/index.js';
import { messageBody } from '../conversations/schema.js';

const id = z.string().min(1).max(40);
const clientId = z.string().min(1).max(100);

/** One schema per client frame type; the dispatcher validates before any handler runs. */
export const clientFrameSchemas = (maxChars: number) =>
  ({
    'message.send': z.object({
      type: z.literal('message.send'),
      clientId,
      conversationId: id.optional(),
      body: messageBody(maxChars),
      private: z.boolean().optional(),
    }),
    sync: z.object({ type: z.literal('sync'), conversationId: id, since: z.number().int().min(0) }),
    typing: z.object({ type: z.literal('typing'), conversationId: id, on: z.boolean() }),
    read: z.object({ type: z.literal('read'), conversationId: id, seq: z.number().int().min(0) }),
    ping: z.object({ type: z.literal('ping') }),
  }) satisfies Record<ClientFrameType, z.ZodType>;

export type FrameSchemas = ReturnType<typeof clientFrameSchemas>;
export type ParsedFrame<T extends ClientFrameType> = z.infer<FrameSchemas[T]>;
