/**
 * Wire types the widget speaks. The shared objects come from the dependency-free contract
 * (type-only imports: nothing of the server ends up in the bundle); the widget-session
 * extensions are declared here.
 */
import type { Attachment, Conversation, Message, Sender } from '../../../server/contract/domain.js';
import type { FrameActor } from '../../../server/contract/frames.js';

export type { Attachment, Conversation, Message, Sender };

export type Locale = 'en' | 'zh-CN';

/** Public settings of the web inbox, as returned with a widget session. */
export interface InboxInfo {
  id: string;
  name: string;
  greeting: string | null;
  color: string | null;
  position: 'left' | 'right';
  preChatForm: boolean;
  agentsOnline: boolean;
  /** The server's upload limit (older servers leave it out). */
  maxAttachmentBytes?: number;
}

/** Who the host page says the visitor is (HMAC-verified when `hash` is given). */
export interface VisitorIdentity {
  id: string;
  email?: string;
  name?: string;
  hash?: string;
}

/** `201` body of `POST /api/v1/widget/sessions`. */
export interface SessionResponse {
  visitorId: string;
  token: string;
  contactId: string;
  inbox: InboxInfo;
}

export type AttributeValue = string | number | boolean | null;

/** Frames the widget sends (contract v1 plus `attachments` on `message.send`). */
export type OutgoingFrame =
  | { type: 'message.send'; clientId: string; conversationId?: string; body: string; attachments?: string[] }
  | { type: 'sync'; conversationId: string; since: number }
  | { type: 'typing'; conversationId: string; on: boolean }
  | { type: 'read'; conversationId: string; seq: number }
  | { type: 'ping' };

/** Frames the widget understands; anything else is ignored. */
export type IncomingFrame =
  | { type: 'hello'; actor: FrameActor; serverTime: string }
  | { type: 'message.ack'; clientId: string; message: Message }
  | { type: 'message.created'; message: Message }
  | { type: 'conversation.updated'; conversation: Conversation }
  | { type: 'sync.done'; conversationId: string; lastSeq: number }
  | { type: 'typing'; conversationId: string; actor: FrameActor; on: boolean }
  | { type: 'read'; conversationId: string; actor: FrameActor; seq: number }
  | { type: 'pong' }
  | { type: 'resync'; reason: string }
  | { type: 'error'; code: string; message: string; clientId?: string };
