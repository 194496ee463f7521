import { api } from '../api/endpoints.js';
import { describeError } from '../api/http.js';
import type { InboxConversation, Message } from '../types.js';
import { preview } from './list.js';
import type { Store, Timeline } from './store.js';
import { mergeMessages, settleEchoes } from './timeline.js';

export const EMPTY_TIMELINE: Timeline = { messages: [], hasEarlier: false, loading: false, pending: [], error: null };

/**
 * The timelines of opened conversations: the latest page on open, earlier pages on demand, and
 * messages as they arrive (sent, live or synced).
 */
export class TimelineLoader {
  constructor(
    private readonly store: Store,
    private readonly toast: (message: string) => void,
  ) {}

  get(id: string): Timeline {
    return this.store.get().timelines[id] ?? EMPTY_TIMELINE;
  }

  set(id: string, t: Partial<Timeline>): void {
    this.store.set((s) => ({ timelines: { ...s.timelines, [id]: { ...(s.timelines[id] ?? EMPTY_TIMELINE), ...t } } }));
  }

  /** Merges messages into a loaded timeline and settles this agent's pending sends they show stored. */
  add(id: string, incoming: Message[]): void {
    const s = this.store.get();
    const t = s.timelines[id];
    if (!t) return;
    this.set(id, { messages: mergeMessages(t.messages, incoming), pending: settleEchoes(t.pending, incoming, s.me?.id ?? null) });
    const last = incoming[incoming.length - 1];
    if (last) this.store.set((st) => ({ previews: { ...st.previews, [id]: preview(last) } }));
  }

  /** The newest page of `c`, up to its last seq. */
  async loadLatest(c: InboxConversation): Promise<void> {
    this.set(c.id, { loading: true });
    const page = await api.messages(c.id, { before: c.lastSeq + 1 });
    this.set(c.id, { loading: false, hasEarlier: page.nextCursor !== null, error: null });
    this.add(c.id, page.items);
    if (c.channel !== 'web') void this.loadDeliveries(c.id);
  }

  /** Where each reply of a provider-channel conversation stands; live updates follow as frames. */
  private async loadDeliveries(id: string): Promise<void> {
    try {
      const { items } = await api.deliveries(id);
      const known = Object.fromEntries(items.map((d) => [d.messageId, { status: d.status, error: d.error }]));
      this.store.set((st) => ({ deliveries: { ...known, ...st.deliveries } }));
    } catch {
      // Older servers have no delivery endpoint: replies show as sent.
    }
  }

  async loadEarlier(id: string): Promise<void> {
    const t = this.get(id);
    const first = t.messages[0];
    if (!first || t.loading) return;
    this.set(id, { loading: true });
    try {
      const page = await api.messages(id, { before: first.seq });
      this.set(id, { loading: false, hasEarlier: page.nextCursor !== null });
      this.add(id, page.items);
    } catch (err) {
      this.set(id, { loading: false });
      this.toast(describeError(err));
    }
  }

  /** Loads earlier pages until message `seq` is in the timeline (or nothing earlier is left). */
  async loadUntil(id: string, seq: number): Promise<void> {
    for (let first = this.get(id).messages[0]?.seq; first !== undefined && first > seq && this.get(id).hasEarlier; ) {
      await this.loadEarlier(id);
      const now = this.get(id).messages[0]?.seq;
      if (now === undefined || now >= first) return;
      first = now;
    }
  }
}
