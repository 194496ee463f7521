import type { Conversation, FrameActor, Message } from '../contract/index.js';

/** Events of the conversation core, as they cross the bus. */
export type HubEvent =
  | { kind: 'message.created'; tenantId: string; contactId: string; message: Message }
  /** A private note's place in the log, for the contact's connections, without its content. */
  | { kind: 'message.hidden'; tenantId: string; contactId: string; conversationId: string; seq: number }
  | { kind: 'conversation.updated'; tenantId: string; contactId: string; conversation: Conversation }
  | { kind: 'typing'; tenantId: string; contactId: string; conversationId: string; actor: FrameActor; on: boolean }
  | { kind: 'read'; tenantId: string; contactId: string; conversationId: string; actor: FrameActor; seq: number }
  /** An outbound reply's progress on a provider channel (agents only). */
  | { kind: 'delivery.updated'; tenantId: string; contactId: string; conversationId: string; messageId: string; status: string; error: string | null };

/** A tenant's settings changed on some node: every node drops its cached copy (`CONFIG_TOPIC`). */
export interface ConfigChanged {
  kind: 'config.changed';
  tenantId: string;
  area: 'routing' | 'models';
}

/** Node-to-node notices; never delivered to clients. */
export const CONFIG_TOPIC = 'config';

export type BusEvent = HubEvent | ConfigChanged;

export type Unsubscribe = () => Promise<void>;

/**
 * Topic-based fan-out of `HubEvent`s. The in-process bus serves one node; a Redis bus serves
 * many. A subscription is active once `subscribe` resolves.
 */
export interface Bus {
  publish(topic: string, event: BusEvent): Promise<void>;
  subscribe(topic: string, handler: (event: BusEvent) => void): Promise<Unsubscribe>;
  /**
   * Registers a listener for "events may have been missed" (a reconnect after an outage). It
   * fires once subscriptions are active again; clients should then `sync`. Returns a remover.
   */
  onResync(listener: () => void): () => void;
  close(): Promise<void>;
}

/** Agents of a tenant see everything of that tenant. */
export const tenantTopic = (tenantId: string) => `t:{${tenantId}}`;
/** A visitor sees the events of its own contact only. */
export const contactTopic = (tenantId: string, contactId: string) => `c:{${tenantId}}:${contactId}`;
