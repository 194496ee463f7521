import type { WidgetApi } from './api.js';
import type { ChatEvents, ChatState } from './chat-state.js';
import { highestSeq, mergeMessage } from './messages.js';
import type { StoredSession } from './session.js';
import type { Message, OutgoingFrame } from './types.js';
import type { ReadTracker } from './unread.js';
import type { VisitorSession } from './visitor-session.js';

export interface ConversationSyncDeps {
  visitor: VisitorSession;
  api: WidgetApi;
  socket: { send(frame: OutgoingFrame): boolean };
  reads: Pick<ReadTracker, 'refresh' | 'markRead' | 'conversationChanged'>;
  state: () => ChatState;
  set: (patch: Partial<ChatState>) => void;
  events: Pick<ChatEvents, 'message'>;
}

/**
 * Which conversation the visitor is in, and its log kept in step with the server: synced from
 * the highest seq held after every connect, merged with live messages, and switched when the
 * server opens another conversation.
 */
export class ConversationSync {
  /** The current conversation's log is complete (first sync done); until then the stored unread count stands. */
  #synced = true;
  #lookedUp = false;
  /** Messages up to this seq were seen before (by an earlier page): no `message` event for them. */
  #announcedSeq = 0;

  readonly #deps: ConversationSyncDeps;

  constructor(deps: ConversationSyncDeps) {
    this.#deps = deps;
  }

  get id(): string | null {
    return this.#deps.visitor.current?.conversationId ?? null;
  }

  get synced(): boolean {
    return this.#synced;
  }

  /** No conversation yet, and the server was not asked for the visitor's earlier ones. */
  get lookupDue(): boolean {
    return !this.id && !this.#lookedUp;
  }

  /** A page starts from the stored session: a stored conversation's log is incomplete until synced. */
  restore(s: StoredSession | null): void {
    this.#announcedSeq = s?.lastSeq ?? 0;
    this.#synced = !s?.conversationId;
  }

  /** Logout or another user: nothing was seen before. */
  reset(): void {
    this.forget();
    this.#announcedSeq = 0;
  }

  /** Drops everything tied to the current conversation (a new contact has other history). */
  forget(): void {
    this.#synced = true;
    this.#lookedUp = false;
    this.#deps.reads.conversationChanged();
    this.#deps.set({ log: this.#deps.state().log.filter((e) => e.id === null), agentName: null, typing: null });
  }

  /** Picks up the visitor's newest conversation (a returning visitor on a new page). */
  async lookUp(): Promise<void> {
    this.#lookedUp = true;
    try {
      const newest = (await this.#deps.visitor.authed((t) => this.#deps.api.conversations(t)))[0];
      if (newest && !this.id) {
        this.#deps.visitor.update({ conversationId: newest.id, lastSeq: 0, readSeq: 0 });
        this.#synced = false;
      }
    } catch {
      // Not fatal: the first message creates a conversation.
    }
  }

  /** After a connect: syncs the current conversation, or settles the unread count without one. */
  connected(): void {
    const id = this.id;
    if (id) this.#sync(id);
    else this.#deps.reads.refresh();
  }

  /** Another tab started a conversation: this one follows it. */
  follow(conversationId: string): void {
    this.#synced = false;
    this.#sync(conversationId);
  }

  /** The server says frames may have been missed. */
  resync(): void {
    const id = this.id;
    if (id) this.#sync(id);
  }

  /** The server sent everything after our highest seq: the log is complete. */
  syncDone(conversationId: string): void {
    if (conversationId !== this.id) return;
    this.#synced = true;
    this.#deps.visitor.update({ lastSeq: highestSeq(this.#deps.state().log) });
    this.#deps.reads.refresh();
    this.#deps.reads.markRead();
  }

  /** The server knows no such conversation (for us). */
  notFound(): void {
    if (!this.id || this.#synced) return;
    // The stored conversation is gone (or not ours): start without it.
    this.#deps.visitor.update({ conversationId: null, lastSeq: 0, readSeq: 0 });
    this.forget();
    this.#deps.reads.refresh();
  }

  /** A stored message, live or the ack of the visitor's own send (`clientId`). */
  receive(m: Message, clientId?: string): void {
    if (m.private) return;
    const current = this.id;
    if (current !== m.conversationId) {
      // Only the visitor's own send may move the chat to another conversation (the server opened a new one).
      if (current && !clientId) return;
      this.#deps.visitor.update({ conversationId: m.conversationId, lastSeq: 0, readSeq: 0 });
      this.forget();
      this.#synced = false;
      this.#sync(m.conversationId);
    }
    const before = this.#deps.state().log;
    const log = mergeMessage(before, m, clientId);
    if (log === before) return;
    const patch: Partial<ChatState> = { log };
    if (m.sender.type !== 'contact') patch.typing = null;
    if (m.sender.type === 'agent' && m.sender.name) patch.agentName = m.sender.name;
    this.#deps.set(patch);
    if (this.#synced) this.#deps.visitor.update({ lastSeq: m.seq });
    if (m.seq > this.#announcedSeq) {
      this.#announcedSeq = m.seq;
      this.#deps.events.message(m);
    }
    this.#deps.reads.refresh();
    this.#deps.reads.markRead();
  }

  /** Asks for everything after the highest seq we have (0 on a fresh page: the whole log). */
  #sync(conversationId: string): void {
    this.#deps.socket.send({ type: 'sync', conversationId, since: highestSeq(this.#deps.state().log) });
  }
}
