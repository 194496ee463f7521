import { api } from '../api/endpoints.js';
import { describeError } from '../api/http.js';
import type { InboxConversation } from '../types.js';
import { applyConversation, listQuery, mergePage } from './list.js';
import type { State, Store } from './store.js';

/**
 * The conversation list and what it is built from: its pages, the copy of every conversation
 * seen anywhere (a page, an open, a patch, a live frame), and their contacts.
 */
export class ListLoader {
  private request = 0;
  private readonly contactLoads = new Set<string>();

  constructor(private readonly store: Store) {}

  private get s(): State {
    return this.store.get();
  }

  /** Loads the first page (`reset`) or the next one with the cursor. */
  async load(reset: boolean): Promise<void> {
    const req = ++this.request;
    const { filter, nextCursor } = this.s;
    if (!reset && !nextCursor) return;
    this.store.set({ listLoading: true, listError: null });
    try {
      const page = await api.conversations(listQuery(filter, reset ? null : nextCursor));
      // A newer load (another filter, a reconnect) started meanwhile: its answer wins.
      if (req !== this.request) return;
      this.store.set((s) => ({
        list: mergePage(reset ? [] : s.list, page.items, filter.sort),
        nextCursor: page.nextCursor,
        listLoading: false,
      }));
      for (const c of page.items) this.remember(c);
    } catch (err) {
      if (req === this.request) this.store.set({ listLoading: false, listError: describeError(err) });
    }
  }

  /** Stores a conversation copy and puts it in (or out of) the list. */
  remember(c: InboxConversation): void {
    const me = this.s.me;
    if (!me) return;
    this.store.set((s) => ({
      conversations: { ...s.conversations, [c.id]: { ...s.conversations[c.id], ...c } },
      list: applyConversation(s.list, c, s.filter, me.id),
      intents: c.intent && !s.intents.includes(c.intent) ? [...s.intents, c.intent].sort() : s.intents,
    }));
    if (!this.s.contacts[c.contactId]) void this.loadContact(c.contactId);
  }

  /** Loads a contact once (a failed load may be tried again). */
  async loadContact(id: string): Promise<void> {
    if (this.contactLoads.has(id)) return;
    this.contactLoads.add(id);
    try {
      const contact = await api.contact(id);
      this.store.set((s) => ({ contacts: { ...s.contacts, [id]: contact } }));
    } catch {
      this.contactLoads.delete(id);
    }
  }

  async loadContactHistory(id: string): Promise<void> {
    try {
      const page = await api.contactConversations(id);
      this.store.set((s) => ({ contactHistory: { ...s.contactHistory, [id]: page.items } }));
    } catch {
      // The card simply shows no history.
    }
  }
}
