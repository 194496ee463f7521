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

import type { Agent, Conversation, Message, Priority, RoutingRule } from '../../server/contract/domain.js';

export type { RoutingRule };

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


/** The body of `POST /api/v1/intent/rules` (at least one of teamId, assigneeId, priority). */
export interface RuleBody {
  intent: string;
  minConfidence?: number;
  teamId?: string;
  assigneeId?: string;
  priority?: Priority;
}

/** The body of `PATCH /api/v1/intent/rules/:id`: only the fields that change; null clears one. */
export interface RulePatch {
  intent?: string;
  minConfidence?: number | null;
  teamId?: string | null;
  assigneeId?: string | null;
  priority?: Priority | null;
  position?: number;
}

/** `GET/PUT /api/v1/intent/settings`: below the threshold a conversation waits in triage. */
export interface RoutingSettings {
  triageThreshold: number;
  triageTeamId: string | null;
}

/** One intent model version (`GET /api/v1/intent/models`). */
export interface IntentModel {
  id: string;
  name: string;
  kind: string | null;
  labels: string[];
  mode: 'inactive' | 'active' | 'candidate' | 'shadow';
  split: number;
  builtIn?: boolean;
  stats?: { predictions: number; feedback: number; agreed: number; agreement: number | null };
}
