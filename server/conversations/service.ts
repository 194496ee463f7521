import { LRUCache } from 'lru-cache';
import type { Actor, Attachment, Conversation, FrameActor, Message, Page, Sender } from '../contract/index.js';
import { AppError } from '../errors.js';
import type { Bus, HubEvent } from '../bus/bus.js';
import { contactTopic, tenantTopic } from '../bus/bus.js';
import type { AgentRepo } from '../agents/repo.js';
import type { ContactRepo } from '../contacts/repo.js';
import type { InboxRepo } from '../inboxes/repo.js';
import type { MessageRepo } from '../messages/repo.js';
import type { AppendResult, MessageStore } from '../messages/store.js';
import type { ConversationFilter, ConversationPatch, ConversationRecord, ConversationRepo, ConversationSort } from './repo.js';
import { toWireConversation } from './repo.js';
import { describeChanges } from './activity.js';
import type { CachedReads } from './cached-reads.js';
import type { TailWindow } from '../cache/warm.js';

type AgentActor = Extract<Actor, { type: 'agent' }>;
type ContactActor = Extract<Actor, { type: 'contact' }>;

export interface SendInput {
  /** Client-generated id; a repeat returns the original message and stores nothing. */
  clientId?: string | undefined;
  conversationId?: string | undefined;
  body: string;
  private?: boolean | undefined;
  attachments?: Attachment[] | undefined;
  /** The message of the same conversation this one answers (`SB_ERR_VALIDATION` if there is none). */
  replyToSeq?: number | undefined;
}

export interface HistoryRange {
  after?: number | undefined;
  before?: number | undefined;
  limit: number;
}

export interface SendResult extends AppendResult {
  conversation: ConversationRecord;
}

export interface ConversationServiceDeps {
  conversations: ConversationRepo;
  messages: MessageRepo;
  store: MessageStore;
  contacts: ContactRepo;
  agents: AgentRepo;
  inboxes: InboxRepo;
  bus: Bus;
  /** Reads through the warm tier, and tells it about every write. */
  reads: CachedReads;
  onBusError?: (err: unknown) => void;
  /**
   * Called after an agent's public reply is stored (also for a repeated `clientId`, so a
   * delivery lost between the write and the enqueue is healed by the client's retry).
   */
  onAgentReply?: (result: SendResult) => Promise<void>;
  /** Told (without waiting) about each new customer message: intent routing runs off the hot path. */
  onCustomerMessage?: (result: SendResult) => void;
  /**
   * True when a warm-tier write and a bus publish (or job) issued after it take effect in that
   * order without waiting for the first (in-process, or one connection to one Redis server):
   * a send then issues its warm commit, publishes and routing job together. False (Redis
   * Cluster, where a publish may run on another server): the publishes wait for the commit.
   */
  tiersKeepOrder?: boolean;
}

const frameActor = (a: Actor): FrameActor => ({ type: a.type, id: a.id });
/** The range as this actor may read it: visitors never see private notes. */
const visibleRange = (a: Actor, range: HistoryRange) => ({ ...range, includePrivate: a.type === 'agent' });
const clientKey = (a: Actor, clientId: string) => `c:${a.type}:${a.id}:${clientId}`;

/**
 * The conversation core: who may see what, idempotent appends, state changes, and the events
 * every change emits. Channels, the HTTP API and the WebSocket gateway all come through here.
 */
export class ConversationService {
  private readonly names = new LRUCache<string, { name: string | null }>({ max: 10_000, ttl: 30_000 });

  constructor(private readonly d: ConversationServiceDeps) {}

  /** The conversation if `actor` may see it; otherwise `SB_ERR_CONVERSATION_NOT_FOUND` (never 403, to hide existence). */
  async accessible(actor: Actor, conversationId: string): Promise<ConversationRecord> {
    const c = await this.d.reads.conversation(actor.tenantId, conversationId);
    if (!c || (actor.type === 'contact' && (c.contactId !== actor.id || c.inboxId !== actor.inboxId))) {
      throw new AppError('SB_ERR_CONVERSATION_NOT_FOUND');
    }
    return c;
  }

  list(
    actor: AgentActor,
    filter: ConversationFilter,
    opts: { limit: number; cursor?: string | undefined; sort?: ConversationSort | undefined },
  ): Promise<Page<ConversationRecord>> {
    return this.d.conversations.list(actor.tenantId, filter, opts);
  }

  /**
   * Conversations as one agent sees them: with `unreadCount`, the messages after the last one
   * this agent marked read (a `read` frame). Own replies and activity lines count until read.
   */
  async withUnread(actor: AgentActor, items: ConversationRecord[]): Promise<(Conversation & { unreadCount: number })[]> {
    const reads = await this.d.conversations.readSeqs(actor.tenantId, actor, items.map((c) => c.id));
    return items.map((c) => ({ ...toWireConversation(c), unreadCount: Math.max(0, c.lastSeq - (reads.get(c.id) ?? 0)) }));
  }

  /** A visitor's message. Without a conversation id it goes to the visitor's latest conversation, or a new one. */
  async sendAsContact(actor: ContactActor, input: SendInput): Promise<SendResult> {
    const dedupKey = input.clientId ? clientKey(actor, input.clientId) : null;
    // Without a conversation id a retry must be recognised before it opens a conversation;
    // with one, the store's own dedup (inside the append transaction) is enough.
    if (dedupKey && !input.conversationId) {
      const original = await this.d.messages.byDedupKey(actor.tenantId, dedupKey);
      if (original) return this.repeated(actor, original);
    }
    let conversation = input.conversationId
      ? await this.accessible(actor, input.conversationId)
      : await this.d.conversations.latestForContact(actor.tenantId, actor.id, actor.inboxId);
    // Checked before a conversation is opened: a bad reply must not leave an empty one behind.
    if (input.replyToSeq !== undefined) await this.checkReplyTarget(actor, conversation, input);
    if (!conversation) {
      const inbox = await this.d.inboxes.get(actor.tenantId, actor.inboxId);
      if (!inbox) throw new AppError('SB_ERR_INBOX_NOT_FOUND');
      conversation = await this.d.conversations.create(actor.tenantId, { inboxId: inbox.id, channel: inbox.channel, contactId: actor.id });
      await this.emitConversation(conversation);
    } else if (conversation.status === 'resolved' || conversation.status === 'snoozed') {
      // A customer writing again brings the conversation back to the agents.
      conversation = (await this.d.conversations.update(actor.tenantId, conversation.id, { status: 'open', snoozedUntil: null }))!;
      await this.emitConversation(conversation);
    }
    const sender: Sender = { type: 'contact', id: actor.id, name: (await this.senderName(actor)) ?? null };
    return this.append(conversation, { ...input, private: false }, 'inbound', sender, dedupKey, undefined, this.d.onCustomerMessage);
  }

  /** An agent's reply or private note. */
  async sendAsAgent(actor: AgentActor, input: SendInput): Promise<SendResult> {
    if (!input.conversationId) throw new AppError('SB_ERR_VALIDATION', 'conversationId is required for agents.');
    const dedupKey = input.clientId ? clientKey(actor, input.clientId) : null;
    const conversation = await this.accessible(actor, input.conversationId);
    if (input.replyToSeq !== undefined) await this.checkReplyTarget(actor, conversation, input);
    const name = await this.senderName(actor);
    if (name === undefined) throw new AppError('SB_ERR_INVALID_TOKEN');
    const sender: Sender = { type: 'agent', id: actor.id, name };
    const result = await this.append(conversation, input, 'outbound', sender, dedupKey);
    // Provider channels deliver replies through the outbound queue (a repeat may re-check it).
    if (this.d.onAgentReply && !result.message.private) await this.d.onAgentReply(result);
    return result;
  }

  /**
   * A provider channel's inbound message (Telegram, …), already resolved to contacts: it goes
   * to the latest conversation of `conversationContactId` in the inbox (a user in a private
   * chat, the group in a group chat) or a new one, written by `senderContactId`. A known
   * `dedupKey` (the provider's event id) stores nothing and returns the original.
   */
  async receiveFromChannel(input: {
    tenantId: string;
    inboxId: string;
    conversationContactId: string;
    sender: { contactId: string; name: string | null };
    body: string;
    attachments: Attachment[];
    dedupKey: string;
    /** The provider's id of the message (Telegram `message_id`), kept so replies can name it. */
    providerMessageId?: string | undefined;
  }): Promise<SendResult> {
    const original = await this.d.messages.byDedupKey(input.tenantId, input.dedupKey);
    if (original) {
      await this.d.reads.messageCommitted(input.tenantId, original);
      const c = await this.d.reads.conversation(input.tenantId, original.conversationId);
      if (!c) throw new AppError('SB_ERR_CONVERSATION_NOT_FOUND');
      return { message: original, duplicate: true, conversation: c };
    }
    let conversation = await this.d.conversations.latestForContact(input.tenantId, input.conversationContactId, input.inboxId);
    if (!conversation) {
      const inbox = await this.d.inboxes.get(input.tenantId, input.inboxId);
      if (!inbox) throw new AppError('SB_ERR_INBOX_NOT_FOUND');
      conversation = await this.d.conversations.create(input.tenantId, { inboxId: inbox.id, channel: inbox.channel, contactId: input.conversationContactId });
      await this.emitConversation(conversation);
    } else if (conversation.status === 'resolved' || conversation.status === 'snoozed') {
      conversation = (await this.d.conversations.update(input.tenantId, conversation.id, { status: 'open', snoozedUntil: null }))!;
      await this.emitConversation(conversation);
    }
    const sender: Sender = { type: 'contact', id: input.sender.contactId, name: input.sender.name };
    return this.append(conversation, { body: input.body, attachments: input.attachments }, 'inbound', sender, input.dedupKey, input.providerMessageId, this.d.onCustomerMessage);
  }

  /** Records the intent a model (or an agent) found for one customer message. */
  async setMessageIntent(tenantId: string, conversationId: string, seq: number, intent: string, confidence: number): Promise<void> {
    await this.d.messages.setIntent(tenantId, conversationId, seq, intent, confidence);
  }

  /**
   * A change made by the system (intent routing), not by an agent: applied, told to everyone
   * who sees the conversation, and explained on its timeline by `note` (agents only).
   */
  async applyRouting(tenantId: string, conversationId: string, patch: ConversationPatch, note: string | null): Promise<ConversationRecord | undefined> {
    if (Object.keys(patch).length === 0) return this.d.reads.conversation(tenantId, conversationId);
    const updated = await this.d.conversations.update(tenantId, conversationId, patch);
    if (!updated) return undefined;
    await this.emitConversation(updated);
    if (note) await this.append(updated, { body: note, private: true }, 'outbound', { type: 'system', id: null, name: null }, null);
    return updated;
  }

  /** The display name of an agent for timeline lines ("Ada set the intent…"). */
  async agentName(actor: AgentActor): Promise<string> {
    return (await this.senderName(actor)) ?? 'An agent';
  }

  /** A conversation by id for the core's own workers (no actor: callers are tenant-scoped jobs). */
  conversationRecord(tenantId: string, conversationId: string): Promise<ConversationRecord | undefined> {
    return this.d.reads.conversation(tenantId, conversationId);
  }

  /** A private system line in a conversation (e.g. "the customer blocked the bot"); agents only. */
  async appendSystemNote(tenantId: string, conversationId: string, body: string, dedupKey: string | null = null): Promise<SendResult> {
    const conversation = await this.d.reads.conversation(tenantId, conversationId);
    if (!conversation) throw new AppError('SB_ERR_CONVERSATION_NOT_FOUND');
    return this.append(conversation, { body, private: true }, 'outbound', { type: 'system', id: null, name: null }, dedupKey);
  }

  /** A page of history, oldest first. Visitors never see private notes. */
  async history(actor: Actor, conversationId: string, range: HistoryRange) {
    // The warm window is read beside the access check (one Redis round trip for both) and used
    // only once access is granted; the database is read only after the check.
    const [conversation, window] = await Promise.all([
      this.accessible(actor, conversationId),
      this.d.reads.prefetchWindow(actor.tenantId, conversationId, visibleRange(actor, range)),
    ]);
    return this.page(actor, conversation, range, window);
  }

  /**
   * A page of a conversation the caller already checked with `accessible` (a sync reads many
   * pages); `prefetched` is the warm window when the caller asked for it already.
   */
  page(actor: Actor, conversation: ConversationRecord, range: HistoryRange, prefetched?: TailWindow | null) {
    return this.d.reads.range(actor.tenantId, conversation.id, visibleRange(actor, range), conversation.lastSeq, prefetched);
  }

  /** Changes status, assignment, team or priority, and tells everyone who can see it. */
  async update(actor: AgentActor, conversationId: string, patch: ConversationPatch): Promise<ConversationRecord> {
    const before = await this.accessible(actor, conversationId);
    const assignee = patch.assigneeId ? await this.d.agents.get(actor.tenantId, patch.assigneeId) : undefined;
    if (patch.assigneeId && !assignee) throw new AppError('SB_ERR_AGENT_NOT_FOUND');
    const team = patch.teamId ? (await this.d.agents.listTeams(actor.tenantId)).find((t) => t.id === patch.teamId) : undefined;
    if (patch.teamId && !team) throw new AppError('SB_ERR_TEAM_NOT_FOUND');
    const effective: ConversationPatch = { ...patch };
    if (patch.status !== undefined && patch.status !== 'snoozed') effective.snoozedUntil = null;
    const updated = await this.d.conversations.update(actor.tenantId, conversationId, effective);
    if (!updated) throw new AppError('SB_ERR_CONVERSATION_NOT_FOUND');
    await this.emitConversation(updated);
    const actorName = (await this.senderName(actor)) ?? 'An agent';
    const lines = describeChanges(before, effective, actor.id, { actor: actorName, assignee: assignee?.name ?? null, team: team?.name ?? null });
    for (const body of lines) {
      await this.append(updated, { body, private: true }, 'outbound', { type: 'system', id: null, name: null }, null);
    }
    return updated;
  }

  /** Reopens every snooze that is due and tells the agents; returns how many woke. */
  async wakeDueSnoozes(now = Date.now()): Promise<number> {
    const woken = await this.d.conversations.wakeDueSnoozes(now);
    for (const c of woken) await this.emitConversation(c);
    return woken.length;
  }

  async typing(actor: Actor, conversationId: string, on: boolean): Promise<void> {
    const c = await this.accessible(actor, conversationId);
    this.emit({ kind: 'typing', tenantId: c.tenantId, contactId: c.contactId, conversationId, actor: frameActor(actor), on }, true);
  }

  async read(actor: Actor, conversationId: string, seq: number): Promise<void> {
    const c = await this.accessible(actor, conversationId);
    const upTo = Math.min(seq, c.lastSeq);
    await this.d.conversations.markRead(actor.tenantId, conversationId, actor, upTo);
    this.emit({ kind: 'read', tenantId: c.tenantId, contactId: c.contactId, conversationId, actor: frameActor(actor), seq: upTo }, true);
  }

  /**
   * The display name stored with a message. Looked up once per actor and kept briefly: a rename
   * shows on new messages within the cache's lifetime. `undefined` means the actor is gone.
   */
  private async senderName(actor: Actor): Promise<string | null | undefined> {
    const key = `${actor.tenantId}\u0000${actor.type}\u0000${actor.id}`;
    const cached = this.names.get(key);
    if (cached) return cached.name;
    const name =
      actor.type === 'agent'
        ? (await this.d.agents.get(actor.tenantId, actor.id))?.name
        : ((await this.d.contacts.get(actor.tenantId, actor.id))?.name ?? null);
    if (name !== undefined) this.names.set(key, { name });
    return name;
  }

  /**
   * A reply must name a message of its own conversation that its sender can see; a public
   * message cannot answer a private note (the customer would be shown a reply to nothing).
   */
  private async checkReplyTarget(actor: Actor, conversation: ConversationRecord | undefined, input: SendInput): Promise<void> {
    const seq = input.replyToSeq!;
    const target = conversation && (await this.d.messages.replyTarget(actor.tenantId, conversation.id, seq));
    // A visitor never learns that a private note exists.
    if (!target || (target.private && actor.type === 'contact')) throw new AppError('SB_ERR_VALIDATION', `replyToSeq: no message ${seq} in this conversation.`);
    if (target.private && !input.private) throw new AppError('SB_ERR_VALIDATION', `replyToSeq: message ${seq} is a private note; only a private note can answer it.`);
  }

  /** A retried send: the original message, and the warm tier told about it again (it may have missed it). */
  private async repeated(actor: Actor, original: Message): Promise<SendResult> {
    await this.d.reads.messageCommitted(actor.tenantId, original);
    return { message: original, duplicate: true, conversation: await this.accessible(actor, original.conversationId) };
  }

  private async append(
    conversation: ConversationRecord,
    input: SendInput,
    direction: 'inbound' | 'outbound',
    sender: Sender,
    dedupKey: string | null,
    providerMessageId?: string,
    /** Told about the message if it is new, right after its publishes. */
    onNew?: (result: SendResult) => void,
  ): Promise<SendResult> {
    const result = await this.d.store.append({
      tenantId: conversation.tenantId,
      conversationId: conversation.id,
      direction,
      private: Boolean(input.private),
      sender,
      body: input.body,
      attachments: input.attachments ?? [],
      channel: conversation.channel,
      dedupKey,
      replyToSeq: input.replyToSeq ?? null,
      providerMessageId: providerMessageId ?? null,
    });
    const sent = { ...result, conversation };
    // The warm commit is awaited before the ack: a read right after it must not see a stale
    // tail. A duplicate is told too, which heals a tail left behind by a node that died between
    // commit and this call. Nobody may hear of the message before the tail has it: where the
    // tiers keep order, the publishes and the routing job are issued right behind the commit
    // (on Redis: one write, run in order); elsewhere they wait for it.
    const cached = this.d.reads.messageCommitted(conversation.tenantId, result.message);
    if (!this.d.tiersKeepOrder) await cached;
    if (!result.duplicate) {
      this.emitMessage(conversation, result.message);
      onNew?.(sent);
    }
    await cached;
    return sent;
  }

  private emitMessage(c: ConversationRecord, message: Message): void {
    this.emit({ kind: 'message.created', tenantId: c.tenantId, contactId: c.contactId, message }, !message.private);
    if (message.private) {
      // The visitor's connections learn only that this seq exists, so they do not wait for it.
      const hidden: HubEvent = { kind: 'message.hidden', tenantId: c.tenantId, contactId: c.contactId, conversationId: c.id, seq: message.seq };
      this.d.bus.publish(contactTopic(c.tenantId, c.contactId), hidden).catch((err) => this.d.onBusError?.(err));
    }
  }

  private async emitConversation(c: ConversationRecord): Promise<void> {
    await this.d.reads.conversationChanged(c.tenantId, c.id);
    this.emit({ kind: 'conversation.updated', tenantId: c.tenantId, contactId: c.contactId, conversation: toWireConversation(c) }, true);
  }

  /**
   * Publishes without waiting: an ack depends on the database only, never on the bus. Publishes
   * still leave in call order; one lost in a bus outage is recovered by the clients' resync.
   */
  private emit(event: HubEvent, toContact: boolean): void {
    const fail = (err: unknown) => this.d.onBusError?.(err);
    this.d.bus.publish(tenantTopic(event.tenantId), event).catch(fail);
    if (toContact) this.d.bus.publish(contactTopic(event.tenantId, event.contactId), event).catch(fail);
  }
}
