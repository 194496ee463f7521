/** Wire objects of contract v1 (JSON, camelCase, ISO-8601 times). */

export type ChannelName = 'web' | 'telegram' | 'slack' | 'email';
export type ConversationStatus = 'open' | 'pending' | 'snoozed' | 'resolved';
export type Priority = 'none' | 'low' | 'medium' | 'high' | 'urgent';
export type SenderType = 'contact' | 'agent' | 'bot' | 'system';
export type Direction = 'inbound' | 'outbound';
export type AgentRole = 'admin' | 'agent';

export interface Attachment {
  id: string;
  name: string;
  contentType: string;
  size: number;
  url: string;
}

export interface Sender {
  type: SenderType;
  id: string | null;
  name: string | null;
}

export interface Message {
  id: string;
  conversationId: string;
  /** Strictly increasing within a conversation, from 1, without gaps. */
  seq: number;
  direction: Direction;
  private: boolean;
  sender: Sender;
  body: string;
  attachments: Attachment[];
  channel: ChannelName;
  createdAt: string;
  /** The seq of the message (same conversation) this one answers; present only when set. */
  replyToSeq?: number;
}

export interface Conversation {
  id: string;
  inboxId: string;
  channel: ChannelName;
  contactId: string;
  status: ConversationStatus;
  assigneeId: string | null;
  teamId: string | null;
  priority: Priority;
  intent: string | null;
  /** The model's probability for `intent` (1 when an agent set it); null when unclassified. */
  intentConfidence: number | null;
  /** Waiting for a human to route it: the intent model was unsure of the customer's intent. */
  triage: boolean;
  lastSeq: number;
  snoozedUntil: string | null;
  lastActivityAt: string;
  createdAt: string;
  updatedAt: string;
}

export interface Inbox {
  id: string;
  name: string;
  channel: ChannelName;
  /** Public settings; secrets are never included. */
  settings: Record<string, unknown>;
  websiteToken?: string;
  webhookUrl?: string;
  createdAt: string;
}

export interface ContactIdentity {
  inboxId: string;
  channel: ChannelName;
  externalId: string;
}

export interface Contact {
  id: string;
  name: string | null;
  email: string | null;
  phone: string | null;
  attributes: Record<string, unknown>;
  identities: ContactIdentity[];
  createdAt: string;
  updatedAt: string;
}

export interface Agent {
  id: string;
  email: string;
  name: string;
  role: AgentRole;
  teamIds: string[];
  createdAt: string;
}

export interface Team {
  id: string;
  name: string;
  createdAt: string;
}

/** Every REST list. `nextCursor` is null on the last page. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Who is on the other end of a token. */
export type Actor =
  | { type: 'agent'; id: string; tenantId: string; role: AgentRole }
  | { type: 'contact'; id: string; tenantId: string; inboxId: string };

/** One intent routing rule (`/api/v1/intent/rules`): a confident `intent` routes an unrouted conversation. */
export interface RoutingRule {
  id: string;
  intent: string;
  /** 0..1; the rule fires at or above it. Null: the tenant's triage threshold. */
  minConfidence: number | null;
  teamId: string | null;
  assigneeId: string | null;
  priority: Priority | null;
  /** Rules are tried in this order; the first match routes. */
  position: number;
  createdAt: string;
  updatedAt: string;
}
