import type { Conversation, Message } from './domain.js';
import type { ErrorCode } from './errors.js';

/** WebSocket frames, client → server (wire contract v1). */
export type ClientFrame =
  /**
   * `attachments`: ids from `POST /api/v1/attachments` (or the widget's upload); `body` may then be empty.
   * `replyToSeq`: the message of the same conversation this one answers.
   */
  | { type: 'message.send'; clientId: string; conversationId?: string; body: string; private?: boolean; attachments?: string[]; replyToSeq?: number }
  | { type: 'sync'; conversationId: string; since: number }
  | { type: 'typing'; conversationId: string; on: boolean }
  | { type: 'read'; conversationId: string; seq: number }
  | { type: 'ping' };

export interface FrameActor {
  type: 'agent' | 'contact';
  id: string;
}

/** WebSocket frames, server → client (wire contract v1). */
export type ServerFrame =
  | { type: 'hello'; actor: FrameActor; serverTime: string }
  | { type: 'message.ack'; clientId: string; message: Message }
  | { type: 'message.created'; message: Message }
  | { type: 'conversation.updated'; conversation: Conversation }
  | { type: 'sync.done'; conversationId: string; lastSeq: number }
  | { type: 'typing'; conversationId: string; actor: FrameActor; on: boolean }
  | { type: 'read'; conversationId: string; actor: FrameActor; seq: number }
  | { type: 'pong' }
  /** Agents only: an outbound reply's state on a provider channel (queued, sending, retrying, sent, failed, unreachable). */
  | { type: 'delivery.updated'; conversationId: string; messageId: string; status: string; error: string | null }
  /** Live events may have been missed (the node's bus reconnected): `sync` open conversations. */
  | { type: 'resync'; reason: string }
  | { type: 'error'; code: ErrorCode; message: string; clientId?: string };

export type ClientFrameType = ClientFrame['type'];
