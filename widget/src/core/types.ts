/**
 * Wire types the widget speaks. The shared objects come from the dependency-free contract
 * (type-only imports: nothing of the server ends up in the bundle); the widget-session
 * extensions are declared here.
 */
import type { Attachment, Conversation, Message, Sender } from '../../../server/contract/domain.js';
import type { ClientFrame, ServerFrame } from '../../../server/contract/frames.js';

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

/** Frames the widget sends: wire contract v1, from the shared protocol module. */
export type OutgoingFrame = ClientFrame;

/** Frames the server sends; the widget acts on the ones it knows and ignores the rest. */
export type IncomingFrame = ServerFrame;
