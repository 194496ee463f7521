import { z } from 'zod';
import type { ClientFrameType } from '../contract/index.js';
import { sendFrameBody } from '../conversations/schema.js';

const id = z.string().min(1).max(40);

/** One schema per client frame type; the dispatcher validates before any handler runs. */
export const clientFrameSchemas = (maxChars: number) =>
  ({
    'message.send': sendFrameBody(maxChars),
    sync: z.object({ type: z.literal('sync'), conversationId: id, since: z.number().int().min(0) }),
    typing: z.object({ type: z.literal('typing'), conversationId: id, on: z.boolean() }),
    read: z.object({ type: z.literal('read'), conversationId: id, seq: z.number().int().min(0) }),
    ping: z.object({ type: z.literal('ping') }),
  }) satisfies Record<ClientFrameType, z.ZodType>;

export type FrameSchemas = ReturnType<typeof clientFrameSchemas>;
export type ParsedFrame<T extends ClientFrameType> = z.infer<FrameSchemas[T]>;
