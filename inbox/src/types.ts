/** Wire types the inbox uses, taken from the shared contract (type-only: nothing is bundled). */
export type {
  Agent,
  AgentRole,
  Attachment,
  ChannelName,
  Contact,
  Conversation,
  ConversationStatus,
  Inbox,
  Message,
  Page,
  Priority,
  Team,
} from '../../server/contract/domain.js';
export type { ClientFrame, FrameActor, ServerFrame } from '../../server/contract/frames.js';

import type { Agent, Conversation, Message } from '../../server/contract/domain.js';

/** `GET /api/v1/auth/me`. */
export type Me = Agent & { tenantId: string };

/** A conversation as the inbox sees it; `unreadCount` arrives from newer servers. */
export type InboxConversation = Conversation & { unreadCount?: number | undefined };

/** One saved reply (`/api/v1/canned-responses`). */
export interface CannedResponse {
  id: string;
  shortCode: string;
  content: string;
}

/** One hit of `GET /api/v1/search`. */
export interface SearchHit {
  conversation: InboxConversation;
  message: Message | null;
}
