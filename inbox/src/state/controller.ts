import { api } from '../api/endpoints.js';
import { ApiError, describeError, setUnauthenticatedHandler } from '../api/http.js';
import { InboxSocket } from '../api/socket.js';
import type { InboxConversation, Message, Priority } from '../types.js';
import type { ListFilter } from './list.js';
import { ListLoader } from './list-loader.js';
import { handleFrame } from './live.js';
import { loadReadMarks, saveReadMarks } from './read-marks.js';
import { routePath, type Route } from './router.js';
import type { State, Store, Timeline } from './store.js';
import { findBySeq } from './reply.js';
import { highestSeq, type Outgoing } from './timeline.js';
import { EMPTY_TIMELINE, TimelineLoader } from './timeline-loader.js';
import { advanceRead } from './unread.js';

const newClientId = () => (typeof crypto.randomUUID === 'function' ? crypto.randomUUID() : `c${Date.now()}${Math.random().toString(36).slice(2)}`);

/**
 * Everything the views can ask for: REST calls, the socket, and the state changes they cause.
 * Views talk to this alone; the list and the timelines are loaded by their own loaders.
 */
export class InboxController {
  readonly socket: InboxSocket;
  private readonly list: ListLoader;
  private readonly timelines: TimelineLoader;

  constructor(readonly store: Store) {
    this.list = new ListLoader(store);
    this.timelines = new TimelineLoader(store, (message) => this.toast(message));
    this.socket = new InboxSocket({
      onFrame: (f) => handleFrame(this, f),
      onReady: (reconnected) => {
        if (reconnected) void this.resyncAll();
        const r = this.s.route;
        if (r.view === 'conversations' && r.id) this.markRead(r.id);
      },
      onStatus: (connection) => this.store.set({ connection }),
    });
    setUnauthenticatedHandler(() => {
      if (this.store.get().me) this.signedOut();
    });
  }

  get s(): State {
    return this.store.get();
  }

  // ——— session ———

  async init(): Promise<void> {
    try {
      const me = await api.me();
      this.store.set({ me, authChecked: true, readSeq: loadReadMarks(me.id) });
      await this.boot();
    } catch {
      this.store.set({ authChecked: true, me: null });
    }
  }

  async login(email: string, password: string): Promise<void> {
    const { agent } = await api.login(email, password);
    this.store.set({ me: agent, readSeq: loadReadMarks(agent.id) });
    await this.boot();
  }

  async logout(): Promise<void> {
    await api.logout().catch(() => undefined);
    this.signedOut();
  }

  private signedOut(): void {
    this.socket.stop();
    this.store.set({ me: null, list: [], conversations: {}, timelines: {}, contacts: {}, replyTo: {} });
  }

  private async boot(): Promise<void> {
    this.socket.start();
    void this.loadList(true);
    void this.loadDirectory();
    void this.probeOptional();
    const r = this.s.route;
    if (r.view === 'conversations' && r.id) void this.openConversation(r.id, false);
  }

  /** Agents, teams, inboxes, canned responses and intent labels (for pickers and labels). */
  async loadDirectory(): Promise<void> {
    const [agents, teams, inboxes, canned, labels] = await Promise.allSettled([api.agents(), api.teams(), api.inboxes(), api.canned(), api.intentLabels()]);
    this.store.set({
      ...(labels.status === 'fulfilled' ? { intentLabels: labels.value.items } : {}),
      ...(agents.status === 'fulfilled' ? { agents: agents.value.items } : {}),
      ...(teams.status === 'fulfilled' ? { teams: teams.value.items } : {}),
      ...(inboxes.status === 'fulfilled' ? { inboxes: inboxes.value.items } : {}),
      ...(canned.status === 'fulfilled' ? { canned: canned.value.items } : {}),
    });
  }

  /** Endpoints that newer servers add: search and away presence. Missing ones hide their controls. */
  private async probeOptional(): Promise<void> {
    try {
      await api.search('', 1);
      this.store.set({ searchAvailable: true });
    } catch (err) {
      // 404 = no search endpoint; 422 (empty q rejected) still means it exists.
      this.store.set({ searchAvailable: err instanceof ApiError && err.status !== 404 && err.status !== 405 });
    }
    await this.refreshPresence();
  }

  async refreshPresence(): Promise<void> {
    try {
      const p = await api.presence();
      const away = Array.isArray(p.away) ? p.away : null;
      const me = this.s.me;
      this.store.set({
        online: p.online,
        away: away ?? [],
        presenceToggle: away !== null,
        ...(me && away?.includes(me.id) ? { myStatus: 'away' as const } : {}),
      });
    } catch {
      this.store.set({ presenceToggle: false });
    }
  }

  async setStatus(status: 'online' | 'away'): Promise<void> {
    try {
      await api.setPresence(status);
      this.store.set({ myStatus: status });
      await this.refreshPresence();
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) this.store.set({ presenceToggle: false });
      else this.toast(describeError(err));
    }
  }

  toast(message: string | null): void {
    this.store.set({ toast: message });
  }

  // ——— navigation ———

  navigate(route: Route, push = true): void {
    const path = routePath(route);
    if (push && location.pathname !== path) history.pushState(null, '', path);
    this.store.set({ route });
    if (route.view === 'conversations' && route.id) void this.openConversation(route.id, false);
  }

  // ——— list ———

  setFilter(patch: Partial<ListFilter>): void {
    this.store.set((s) => ({ filter: { ...s.filter, ...patch } }));
    void this.loadList(true);
  }

  /** Loads the first page (`reset`) or the next one with the cursor. */
  loadList(reset: boolean): Promise<void> {
    return this.list.load(reset);
  }

  /** Stores a conversation copy and puts it in (or out of) the list. */
  remember(c: InboxConversation): void {
    this.list.remember(c);
  }

  // ——— one conversation ———

  async openConversation(id: string, push = true): Promise<void> {
    if (push) this.navigate({ view: 'conversations', id }, true);
    try {
      const c = await api.conversation(id);
      this.remember(c);
      if (!this.s.timelines[id]) await this.timelines.loadLatest(c);
      void this.list.loadContactHistory(c.contactId);
      this.markRead(id);
    } catch (err) {
      this.timelines.set(id, { ...EMPTY_TIMELINE, error: describeError(err) });
    }
  }

  timeline(id: string): Timeline {
    return this.timelines.get(id);
  }

  addMessages(id: string, incoming: Message[]): void {
    this.timelines.add(id, incoming);
  }

  loadEarlier(id: string): Promise<void> {
    return this.timelines.loadEarlier(id);
  }

  /** Loads earlier pages until message `seq` is in the timeline (or nothing earlier is left). */
  loadUntil(id: string, seq: number): Promise<void> {
    return this.timelines.loadUntil(id, seq);
  }

  /** Marks everything up to the conversation's last seq as read (locally and on the socket). */
  markRead(id: string): void {
    const me = this.s.me;
    const c = this.s.conversations[id];
    if (!me || !c) return;
    const seq = Math.max(c.lastSeq, highestSeq(this.timeline(id).messages));
    if (c.unreadCount) this.remember({ ...c, unreadCount: 0 });
    if ((this.s.readSeq[id] ?? 0) < seq) {
      this.store.set((s) => ({ readSeq: { ...s.readSeq, [id]: advanceRead(s.readSeq[id], seq) } }));
      saveReadMarks(me.id, this.s.readSeq);
    }
    // The server keeps its own read mark (for unreadCount and the customer's "read" ticks).
    if (seq > 0 && (this.sentRead.get(id) ?? 0) < seq && this.socket.send({ type: 'read', conversationId: id, seq })) this.sentRead.set(id, seq);
  }
  private readonly sentRead = new Map<string, number>();

  // ——— sending ———

  /** Sends a reply or note; with `replyToSeq` it answers that message, and the composer's reply target is done. */
  async send(id: string, body: string, isPrivate: boolean, attachments: { id: string; name: string }[], replyToSeq?: number): Promise<void> {
    const out: Outgoing = {
      clientId: newClientId(),
      body,
      private: isPrivate,
      attachmentIds: attachments.map((a) => a.id),
      attachmentNames: attachments.map((a) => a.name),
      ...(replyToSeq !== undefined ? { replyToSeq } : {}),
      state: 'sending',
    };
    this.timelines.set(id, { pending: [...this.timeline(id).pending, out] });
    if (replyToSeq !== undefined) this.replyTo(id, null);
    await this.deliver(id, out);
  }

  /**
   * Chooses (or with null, cancels) the message the composer answers and focuses the composer;
   * a private note can only be answered with a note, so that switches the composer to notes.
   */
  replyTo(id: string, seq: number | null): void {
    this.store.set((s) => {
      const replyTo = { ...s.replyTo };
      if (seq === null) {
        delete replyTo[id];
        return { replyTo };
      }
      replyTo[id] = seq;
      const target = findBySeq(this.timeline(id).messages, seq);
      return { replyTo, composerFocus: { ...(target?.private ? { mode: 'note' as const } : {}), at: Date.now() } };
    });
  }

  /** Sends again with the same clientId: the server stores it at most once. */
  async retry(id: string, clientId: string): Promise<void> {
    const out = this.timeline(id).pending.find((p) => p.clientId === clientId);
    if (!out) return;
    await this.deliver(id, out);
  }

  private async deliver(id: string, out: Outgoing): Promise<void> {
    const update = (o: Outgoing | null) =>
      this.timelines.set(id, { pending: this.timeline(id).pending.flatMap((p) => (p.clientId !== out.clientId ? [p] : o ? [o] : [])) });
    update({ ...out, state: 'sending' });
    try {
      const m = await api.sendMessage(id, {
        body: out.body,
        private: out.private,
        clientId: out.clientId,
        ...(out.attachmentIds.length ? { attachments: out.attachmentIds } : {}),
        ...(out.replyToSeq !== undefined ? { replyToSeq: out.replyToSeq } : {}),
      });
      this.addMessages(id, [m]);
      update(null);
      const me = this.s.me;
      if (me) this.store.set((s) => ({ readSeq: { ...s.readSeq, [id]: advanceRead(s.readSeq[id], m.seq) } }));
    } catch (err) {
      update({ ...out, state: 'failed', error: describeError(err) });
    }
  }

  typing(id: string, on: boolean): void {
    this.socket.send({ type: 'typing', conversationId: id, on });
  }

  // ——— actions ———

  async patch(id: string, patch: { status?: string; assigneeId?: string | null; teamId?: string | null; priority?: Priority; snoozedUntil?: string | null }): Promise<void> {
    try {
      this.remember(await api.patchConversation(id, patch));
    } catch (err) {
      this.toast(describeError(err));
    }
  }

  /**
   * An agent's word on what the customer wants. The answer (out of triage, maybe routed) replaces
   * the local copy at once; the live frame brings it to everyone else. Resolves to an error
   * message for the picker, or null.
   */
  async correctIntent(id: string, intent: string): Promise<string | null> {
    try {
      this.remember(await api.setIntent(id, intent));
      return null;
    } catch (err) {
      return describeError(err);
    }
  }

  // ——— search ———

  async runSearch(q: string): Promise<void> {
    this.store.set({ search: { q, results: q ? this.s.search.results : null, loading: q !== '' } });
    if (!q) return;
    try {
      const page = await api.search(q);
      if (this.s.search.q === q) this.store.set({ search: { q, results: page.items, loading: false } });
      for (const hit of page.items) if (!this.s.contacts[hit.conversation.contactId]) void this.list.loadContact(hit.conversation.contactId);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) this.store.set({ searchAvailable: false });
      this.store.set({ search: { q, results: [], loading: false } });
    }
  }

  // ——— after a reconnect ———

  /** Re-syncs every loaded timeline from its highest seq and refetches the list. */
  async resyncAll(): Promise<void> {
    for (const [id, t] of Object.entries(this.s.timelines)) {
      this.socket.send({ type: 'sync', conversationId: id, since: highestSeq(t.messages) });
    }
    await this.loadList(true);
    const r = this.s.route;
    if (r.view === 'conversations' && r.id) {
      try {
        this.remember(await api.conversation(r.id));
      } catch {
        // Shown on the next open.
      }
    }
  }
}
