import { ApiError, type UploadFile, type WidgetApi } from './api.js';
import { PendingAttributes } from './attributes.js';
import { IDLE_STATE, type ChatEvents, type ChatState } from './chat-state.js';
import { ConversationSync } from './conversation-sync.js';
import { senderName, upsertLocal, type LogEntry } from './messages.js';
import { newClientId, type OutboxEntry } from './outbox.js';
import { OutboxSender } from './outbox-sender.js';
import type { SessionStore } from './session.js';
import { ReconnectingSocket, type Timers, type WebSocketLike } from './socket.js';
import type { Attachment, AttributeValue, IncomingFrame, VisitorIdentity } from './types.js';
import { TypingSignals } from './typing.js';
import { ReadTracker } from './unread.js';
import { VisitorSession } from './visitor-session.js';

export interface ChatDeps {
  websiteToken: string;
  /** `ws(s)://hub` (no trailing slash). */
  wsBase: string;
  api: WidgetApi;
  store: SessionStore;
  openSocket: (url: string) => WebSocketLike;
  events: ChatEvents;
  timers?: Timers;
  now?: () => number;
  random?: () => number;
}

/**
 * The visitor's chat, with no DOM: one session, socket and outbox, and the conversation kept in
 * step over them. The panel subscribes to its state; the loader relays its events to the host page.
 */
export class ChatClient {
  #state: ChatState = IDLE_STATE;
  readonly #listeners = new Set<() => void>();
  readonly #socket: ReconnectingSocket;
  readonly #visitor: VisitorSession;
  readonly #timers: Timers;
  readonly #now: () => number;
  #started = false;
  #readyFired = false;
  readonly #attributes = new PendingAttributes();
  readonly #outbox: OutboxSender;
  readonly #typing: TypingSignals;
  readonly #reads: ReadTracker;
  readonly #conversation: ConversationSync;

  readonly #deps: ChatDeps;

  constructor(deps: ChatDeps) {
    this.#deps = deps;
    this.#timers = deps.timers ?? { setTimeout: (f, ms) => setTimeout(f, ms), clearTimeout: (h) => clearTimeout(h as number) };
    this.#now = deps.now ?? Date.now;
    this.#visitor = new VisitorSession({ websiteToken: deps.websiteToken, api: deps.api, store: deps.store, now: this.#now, onNewContact: () => this.#conversation.forget() });
    this.#socket = new ReconnectingSocket({
      open: deps.openSocket,
      url: () => this.#socketUrl(),
      onHello: () => void this.#onHello(),
      onFrame: (f) => this.#onFrame(f),
      onDown: ({ beforeHello }) => this.#onDown(beforeHello),
      timers: this.#timers,
      ...(deps.random ? { random: deps.random } : {}),
    });
    this.#outbox = new OutboxSender({
      store: deps.store,
      socket: this.#socket,
      timers: this.#timers,
      conversationId: () => this.#conversation.id,
      onChange: (entry) => this.#set({ log: upsertLocal(this.#state.log, entry) }),
    });
    this.#typing = new TypingSignals({
      socket: this.#socket,
      timers: this.#timers,
      now: this.#now,
      conversationId: () => this.#conversation.id,
      onAgentTyping: (typing) => this.#set({ typing }),
    });
    this.#reads = new ReadTracker({
      visitor: this.#visitor,
      socket: this.#socket,
      log: () => this.#state.log,
      synced: () => this.#conversation.synced,
      shown: () => this.#state.unread,
      onUnread: (unread) => {
        this.#set({ unread });
        this.#deps.events.unread(unread);
      },
    });
    this.#conversation = new ConversationSync({
      visitor: this.#visitor,
      api: deps.api,
      socket: this.#socket,
      reads: this.#reads,
      state: () => this.#state,
      set: (patch) => this.#set(patch),
      events: deps.events,
    });
  }

  getState(): ChatState {
    return this.#state;
  }

  /** Calls `fn` after every state change; returns the unsubscribe function. */
  subscribe(fn: () => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /** Restores the stored session (or creates one) and connects. Idempotent. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    const s = this.#visitor.load();
    this.#conversation.restore(s);
    let log: LogEntry[] = [];
    for (const o of this.#deps.store.outbox()) log = upsertLocal(log, o);
    this.#set({ status: 'connecting', log, unread: s?.unread ?? 0, ...this.#sessionView() });
    this.#socket.start();
  }

  /** The panel opened or closed; an open panel on a visible page reads everything. */
  setOpen(open: boolean): void {
    this.#reads.setOpen(open);
  }

  setPageVisible(visible: boolean): void {
    this.#reads.setPageVisible(visible);
    if (visible) this.#socket.nudge();
  }

  /** The network came back: try now rather than after the backoff. */
  nudge(): void {
    this.#socket.nudge();
  }

  /** Queues a message and sends it as soon as the socket allows. */
  send(body: string, attachments: Attachment[] = []): void {
    const text = body.trim();
    if (!text && attachments.length === 0) return;
    const entry: OutboxEntry = {
      clientId: newClientId(this.#deps.random),
      conversationId: this.#conversation.id,
      body: text,
      attachments,
      createdAt: new Date(this.#now()).toISOString(),
      state: 'sending',
    };
    this.#deps.store.putOutbox(entry);
    this.#set({ log: upsertLocal(this.#state.log, entry) });
    this.#typing.stop();
    // After a logout in another tab nothing runs: writing again starts a new session.
    if (!this.#started) this.start();
    this.#outbox.flush();
  }

  /** Sends a failed message again, with its original clientId. */
  retry(clientId: string): void {
    this.#outbox.retry(clientId);
  }

  /** Uploads a file for the next message. Throws ApiError (e.g. SB_ERR_ATTACHMENT_TOO_LARGE) or NetworkError. */
  upload(file: UploadFile): Promise<Attachment> {
    return this.#visitor.authed((token) => this.#deps.api.upload(token, file));
  }

  /** The visitor typed (`hasText`) or cleared the box: `typing` frames, throttled. */
  composing(hasText: boolean): void {
    this.#typing.composing(hasText);
  }

  /** Pre-chat form: stores name and email on the contact. */
  async submitPreChat(fields: { name?: string; email?: string }): Promise<void> {
    await this.#visitor.authed((token) => this.#deps.api.updateContact(token, fields));
    this.#visitor.update({ preChatDone: true });
    this.#set(this.#sessionView());
  }

  /**
   * Identifies the visitor. An anonymous visitor keeps their visitor id and gets a session for
   * the identity; another user than the session's starts from scratch.
   */
  setUser(identity: VisitorIdentity): void {
    this.#visitor.identity = identity;
    if (!this.#started) return; // start() takes it into account
    const change = this.#visitor.classify(identity);
    if (change === 'same') return;
    if (change === 'other-user') return this.#restart(true);
    this.#visitor.renewSoon();
    this.#reconnect();
  }

  /** Custom attributes on the contact; kept until a session exists and the server took them. */
  setAttributes(attrs: Record<string, AttributeValue>): void {
    this.#attributes.add(attrs);
    if (this.#visitor.current) void this.#flushAttributes();
  }

  /** Logout: forgets the session and outbox, closes the socket. The next `start()` begins afresh. */
  reset(): void {
    this.#visitor.identity = null;
    this.#attributes.clear();
    this.#restart(false);
  }

  /** Another tab changed the stored session (`storage` event). */
  storageChanged(): void {
    if (!this.#started) return;
    const had = this.#conversation.id;
    const s = this.#visitor.reload();
    if (!s) return this.#restart(false); // logged out in another tab: follow
    if (!had && s.conversationId) this.#conversation.follow(s.conversationId);
    this.#set(this.#sessionView());
    this.#reads.refresh();
  }

  /* ------------------------------------------------------------------ internals */

  #set(patch: Partial<ChatState>): void {
    this.#state = { ...this.#state, ...patch };
    for (const fn of this.#listeners) fn();
  }

  #sessionView(): Pick<ChatState, 'inbox' | 'preChatNeeded'> {
    const s = this.#visitor.current;
    const inbox = s?.inbox ?? this.#state.inbox;
    return { inbox, preChatNeeded: !!inbox?.preChatForm && !s?.preChatDone && !s?.identity };
  }

  #restart(startAgain: boolean): void {
    this.#socket.stop();
    this.#outbox.connectionLost();
    this.#visitor.forget();
    this.#started = false;
    this.#conversation.reset();
    if (this.#state.unread !== 0) this.#deps.events.unread(0);
    this.#set(IDLE_STATE);
    if (startAgain) this.start();
  }

  /** Drops the connection and connects again (a new session is due). */
  #reconnect(): void {
    this.#socket.stop();
    this.#outbox.connectionLost();
    this.#socket.start();
  }

  async #socketUrl(): Promise<string> {
    try {
      const s = await this.#visitor.ensure();
      this.#set(this.#sessionView());
      return `${this.#deps.wsBase}/ws?token=${encodeURIComponent(s.token)}`;
    } catch (err) {
      if (err instanceof ApiError && err.status !== 429 && err.status < 500) {
        // The server refuses the widget here (unknown inbox, origin not allowed, bad identity hash).
        this.#socket.stop();
        this.#set({ status: 'error', errorCode: err.code });
      }
      throw err;
    }
  }

  async #onHello(): Promise<void> {
    this.#set({ status: 'online', errorCode: null });
    if (!this.#readyFired) {
      this.#readyFired = true;
      this.#deps.events.ready();
    }
    // Only a lookup is waited for: otherwise the sync and the outbox go out in the same turn as `hello`.
    if (this.#conversation.lookupDue) await this.#conversation.lookUp();
    this.#conversation.connected();
    this.#outbox.flush();
    this.#reads.markRead();
    void this.#flushAttributes();
    void this.#refreshInbox();
  }

  /** Settings and agent availability as they are now, not as when the session was made. */
  async #refreshInbox(): Promise<void> {
    try {
      const inbox = await this.#visitor.authed((t) => this.#deps.api.inbox(t));
      if (!this.#visitor.current) return;
      this.#visitor.update({ inbox });
      this.#set(this.#sessionView());
    } catch {
      // Not fatal: the session's copy stays in use.
    }
  }

  #onDown(beforeHello: boolean): void {
    // The server refuses a bad token at the upgrade, so a socket that never said hello may hold one.
    if (beforeHello) this.#visitor.suspectToken();
    this.#outbox.connectionLost();
    this.#typing.connectionLost();
    if (this.#state.status !== 'error') this.#set({ status: 'offline', typing: null });
  }

  #onFrame(f: IncomingFrame): void {
    const current = this.#conversation.id;
    switch (f.type) {
      case 'message.ack':
        this.#outbox.acknowledged(f.clientId);
        this.#conversation.receive(f.message, f.clientId);
        this.#outbox.flush();
        return;
      case 'message.created':
        return this.#conversation.receive(f.message);
      case 'sync.done':
        return this.#conversation.syncDone(f.conversationId);
      case 'typing':
        if (f.conversationId !== current || f.actor.type === 'contact') return;
        this.#typing.agentTyping(f.on ? senderName(this.#state.log, f.actor.id) : null);
        return;
      case 'read':
        // The visitor read in another tab or on another device.
        if (f.conversationId !== current || f.actor.type !== 'contact') return;
        this.#visitor.update({ readSeq: f.seq });
        this.#reads.refresh();
        return;
      case 'resync':
        return this.#conversation.resync();
      case 'error':
        if (f.clientId) this.#outbox.fail(f.clientId, f.code);
        else if (f.code === 'SB_ERR_CONVERSATION_NOT_FOUND') this.#conversation.notFound();
        return;
      default:
        return;
    }
  }

  #flushAttributes(): Promise<void> {
    return this.#attributes.flush((attributes) => this.#visitor.authed((t) => this.#deps.api.updateContact(t, { attributes })));
  }
}
