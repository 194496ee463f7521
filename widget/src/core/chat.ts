import { ApiError, NetworkError, type UploadFile, type WidgetApi } from './api.js';
import { countUnread, highestSeq, mergeMessage, upsertLocal, type LogEntry } from './messages.js';
import { newClientId, type OutboxEntry } from './outbox.js';
import { OutboxSender } from './outbox-sender.js';
import type { SessionStore } from './session.js';
import { ReconnectingSocket, type Timers, type WebSocketLike } from './socket.js';
import type { Attachment, AttributeValue, IncomingFrame, InboxInfo, Message, VisitorIdentity } from './types.js';
import { VisitorSession } from './visitor-session.js';

export type ChatStatus = 'idle' | 'connecting' | 'online' | 'offline' | 'error';

/** What the panel renders. Replaced (never mutated) on every change. */
export interface ChatState {
  status: ChatStatus;
  /** Error code when `status` is `error` (the server refused the widget). */
  errorCode: string | null;
  inbox: InboxInfo | null;
  log: LogEntry[];
  unread: number;
  /** Name of whoever on the agent side is typing, '' when unknown, null when nobody is. */
  typing: string | null;
  /** The last agent who wrote, for the header. */
  agentName: string | null;
  preChatNeeded: boolean;
}

/** What the host page hears about (through the loader's `on(...)`). */
export interface ChatEvents {
  ready(): void;
  message(m: Message): void;
  unread(count: number): void;
}

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

const TYPING_REPEAT_MS = 3_000;
const TYPING_IDLE_MS = 4_000;
const AGENT_TYPING_EXPIRY_MS = 8_000;

const IDLE: ChatState = { status: 'idle', errorCode: null, inbox: null, log: [], unread: 0, typing: null, agentName: null, preChatNeeded: false };

/**
 * The visitor's chat: socket, log, outbox and unread count, with no DOM. The panel subscribes
 * to its state; the loader relays its events to the host page.
 */
export class ChatClient {
  #state: ChatState = IDLE;
  readonly #listeners = new Set<() => void>();
  readonly #socket: ReconnectingSocket;
  readonly #visitor: VisitorSession;
  readonly #timers: Timers;
  readonly #now: () => number;
  #started = false;
  #readyFired = false;
  #attributes: Record<string, AttributeValue> = {};
  readonly #outbox: OutboxSender;
  /** The current conversation's log is complete (first sync done); until then the stored unread count stands. */
  #synced = true;
  #unreadReported = false;
  #conversationsChecked = false;
  /** Messages up to this seq were seen before (by an earlier page): no `message` event for them. */
  #announcedSeq = 0;
  #readSentSeq = 0;
  #panelOpen = false;
  #pageVisible = true;
  #typingOn = false;
  #typingSentAt = 0;
  #typingIdleTimer: unknown = null;
  #agentTypingTimer: unknown = null;

  readonly #deps: ChatDeps;

  constructor(deps: ChatDeps) {
    this.#deps = deps;
    this.#timers = deps.timers ?? { setTimeout: (f, ms) => setTimeout(f, ms), clearTimeout: (h) => clearTimeout(h as number) };
    this.#now = deps.now ?? Date.now;
    this.#visitor = new VisitorSession({ websiteToken: deps.websiteToken, api: deps.api, store: deps.store, now: this.#now, onNewContact: () => this.#forgetConversation() });
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
      conversationId: () => this.#conversationId(),
      onChange: (entry) => this.#set({ log: upsertLocal(this.#state.log, entry) }),
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
    this.#announcedSeq = s?.lastSeq ?? 0;
    this.#synced = !s?.conversationId;
    let log: LogEntry[] = [];
    for (const o of this.#deps.store.outbox()) log = upsertLocal(log, o);
    this.#set({ status: 'connecting', log, unread: s?.unread ?? 0, ...this.#sessionView() });
    this.#socket.start();
  }

  /** The panel opened or closed; an open panel on a visible page reads everything. */
  setOpen(open: boolean): void {
    this.#panelOpen = open;
    this.#markRead();
  }

  setPageVisible(visible: boolean): void {
    this.#pageVisible = visible;
    this.#markRead();
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
      conversationId: this.#conversationId(),
      body: text,
      attachments,
      createdAt: new Date(this.#now()).toISOString(),
      state: 'sending',
    };
    this.#deps.store.putOutbox(entry);
    this.#set({ log: upsertLocal(this.#state.log, entry) });
    this.#stopTyping();
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
    const conversationId = this.#conversationId();
    if (!hasText || !conversationId) return this.#stopTyping();
    const now = this.#now();
    if ((!this.#typingOn || now - this.#typingSentAt > TYPING_REPEAT_MS) && this.#socket.send({ type: 'typing', conversationId, on: true })) {
      this.#typingOn = true;
      this.#typingSentAt = now;
    }
    this.#timers.clearTimeout(this.#typingIdleTimer);
    this.#typingIdleTimer = this.#timers.setTimeout(() => this.#stopTyping(), TYPING_IDLE_MS);
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
    Object.assign(this.#attributes, attrs);
    if (this.#visitor.current) void this.#flushAttributes();
  }

  /** Logout: forgets the session and outbox, closes the socket. The next `start()` begins afresh. */
  reset(): void {
    this.#visitor.identity = null;
    this.#attributes = {};
    this.#restart(false);
  }

  /** Another tab changed the stored session (`storage` event). */
  storageChanged(): void {
    if (!this.#started) return;
    const had = this.#conversationId();
    const s = this.#visitor.reload();
    if (!s) return this.#restart(false); // logged out in another tab: follow
    if (!had && s.conversationId) {
      this.#synced = false;
      this.#syncConversation(s.conversationId);
    }
    this.#set(this.#sessionView());
    this.#refreshUnread();
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

  #conversationId(): string | null {
    return this.#visitor.current?.conversationId ?? null;
  }

  #restart(startAgain: boolean): void {
    this.#socket.stop();
    this.#outbox.connectionLost();
    this.#visitor.forget();
    this.#started = false;
    this.#forgetConversation();
    this.#announcedSeq = 0;
    if (this.#state.unread !== 0) this.#deps.events.unread(0);
    this.#set(IDLE);
    if (startAgain) this.start();
  }

  /** Drops everything tied to the current conversation (a new contact has other history). */
  #forgetConversation(): void {
    this.#synced = true;
    this.#conversationsChecked = false;
    this.#readSentSeq = 0;
    this.#set({ log: this.#state.log.filter((e) => e.id === null), agentName: null, typing: null });
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
    if (!this.#conversationId() && !this.#conversationsChecked) {
      this.#conversationsChecked = true;
      try {
        const newest = (await this.#visitor.authed((t) => this.#deps.api.conversations(t)))[0];
        if (newest && !this.#conversationId()) {
          this.#visitor.update({ conversationId: newest.id, lastSeq: 0, readSeq: 0 });
          this.#synced = false;
        }
      } catch {
        // Not fatal: the first message creates a conversation.
      }
    }
    const conversationId = this.#conversationId();
    if (conversationId) this.#syncConversation(conversationId);
    else this.#refreshUnread();
    this.#outbox.flush();
    this.#markRead();
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

  /** Asks for everything after the highest seq we have (0 on a fresh page: the whole log). */
  #syncConversation(conversationId: string): void {
    this.#socket.send({ type: 'sync', conversationId, since: highestSeq(this.#state.log) });
  }

  #onDown(beforeHello: boolean): void {
    // The server refuses a bad token at the upgrade, so a socket that never said hello may hold one.
    if (beforeHello) this.#visitor.suspectToken();
    this.#outbox.connectionLost();
    this.#typingOn = false;
    if (this.#state.status !== 'error') this.#set({ status: 'offline', typing: null });
  }

  #onFrame(f: IncomingFrame): void {
    const current = this.#conversationId();
    switch (f.type) {
      case 'message.ack':
        this.#outbox.acknowledged(f.clientId);
        this.#receive(f.message, f.clientId);
        this.#outbox.flush();
        return;
      case 'message.created':
        return this.#receive(f.message);
      case 'sync.done':
        if (f.conversationId !== current) return;
        this.#synced = true;
        this.#visitor.update({ lastSeq: highestSeq(this.#state.log) });
        this.#refreshUnread();
        this.#markRead();
        return;
      case 'typing':
        if (f.conversationId !== current || f.actor.type === 'contact') return;
        this.#timers.clearTimeout(this.#agentTypingTimer);
        if (f.on) this.#agentTypingTimer = this.#timers.setTimeout(() => this.#set({ typing: null }), AGENT_TYPING_EXPIRY_MS);
        this.#set({ typing: f.on ? this.#nameOf(f.actor.id) : null });
        return;
      case 'read':
        // The visitor read in another tab or on another device.
        if (f.conversationId !== current || f.actor.type !== 'contact') return;
        this.#visitor.update({ readSeq: f.seq });
        this.#refreshUnread();
        return;
      case 'resync':
        if (current) this.#syncConversation(current);
        return;
      case 'error':
        if (f.clientId) {
          this.#outbox.fail(f.clientId, f.code);
        } else if (f.code === 'SB_ERR_CONVERSATION_NOT_FOUND' && current && !this.#synced) {
          // The stored conversation is gone (or not ours): start without it.
          this.#visitor.update({ conversationId: null, lastSeq: 0, readSeq: 0 });
          this.#forgetConversation();
          this.#refreshUnread();
        }
        return;
      default:
        return;
    }
  }

  #nameOf(agentId: string): string {
    for (let i = this.#state.log.length - 1; i >= 0; i--) {
      const s = this.#state.log[i]!.sender;
      if (s.id === agentId && s.name) return s.name;
    }
    return '';
  }

  #receive(m: Message, clientId?: string): void {
    if (m.private) return;
    const current = this.#conversationId();
    if (current !== m.conversationId) {
      // Only the visitor's own send may move the chat to another conversation (the server opened a new one).
      if (current && !clientId) return;
      this.#visitor.update({ conversationId: m.conversationId, lastSeq: 0, readSeq: 0 });
      this.#forgetConversation();
      this.#synced = false;
      this.#syncConversation(m.conversationId);
    }
    const before = this.#state.log;
    const log = mergeMessage(before, m, clientId);
    if (log === before) return;
    const patch: Partial<ChatState> = { log };
    if (m.sender.type !== 'contact') patch.typing = null;
    if (m.sender.type === 'agent' && m.sender.name) patch.agentName = m.sender.name;
    this.#set(patch);
    if (this.#synced) this.#visitor.update({ lastSeq: m.seq });
    if (m.seq > this.#announcedSeq) {
      this.#announcedSeq = m.seq;
      this.#deps.events.message(m);
    }
    this.#refreshUnread();
    this.#markRead();
  }

  /** Recounts unread messages once the log is complete; tells the host page about changes (and the first count). */
  #refreshUnread(): void {
    if (!this.#synced) return;
    const n = countUnread(this.#state.log, this.#visitor.current?.readSeq ?? 0);
    if (n === this.#state.unread && this.#unreadReported) return;
    this.#unreadReported = true;
    this.#visitor.update({ unread: n });
    this.#set({ unread: n });
    this.#deps.events.unread(n);
  }

  #markRead(): void {
    const conversationId = this.#conversationId();
    if (!this.#panelOpen || !this.#pageVisible || !conversationId || !this.#synced) return;
    const top = highestSeq(this.#state.log);
    if (top > this.#readSentSeq && this.#socket.send({ type: 'read', conversationId, seq: top })) this.#readSentSeq = top;
    if (top > (this.#visitor.current?.readSeq ?? 0)) this.#visitor.update({ readSeq: top });
    this.#refreshUnread();
  }

  #stopTyping(): void {
    this.#timers.clearTimeout(this.#typingIdleTimer);
    const conversationId = this.#conversationId();
    if (this.#typingOn && conversationId) this.#socket.send({ type: 'typing', conversationId, on: false });
    this.#typingOn = false;
  }

  async #flushAttributes(): Promise<void> {
    const attrs = this.#attributes;
    if (Object.keys(attrs).length === 0) return;
    this.#attributes = {};
    try {
      await this.#visitor.authed((t) => this.#deps.api.updateContact(t, { attributes: attrs }));
    } catch (err) {
      // Offline: keep them (newer values win) for the next connection; a refusal is final.
      if (err instanceof NetworkError) this.#attributes = { ...attrs, ...this.#attributes };
    }
  }
}
