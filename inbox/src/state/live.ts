import { api } from '../api/endpoints.js';
import type { InboxConversation, ServerFrame } from '../types.js';
import type { InboxController } from './controller.js';
import { preview } from './list.js';
import { advanceRead } from './unread.js';

const TYPING_TTL_MS = 6000;

/** Applies one server frame to the inbox state. */
export function handleFrame(ctl: InboxController, f: ServerFrame): void {
  const s = ctl.store.get();
  const me = s.me;
  if (!me) return;
  switch (f.type) {
    case 'message.created': {
      const m = f.message;
      const id = m.conversationId;
      ctl.addMessages(id, [m]);
      ctl.store.set((st) => ({ previews: { ...st.previews, [id]: preview(m) } }));
      if (m.sender.type === 'agent' && m.sender.id === me.id) {
        ctl.store.set((st) => ({ readSeq: { ...st.readSeq, [id]: advanceRead(st.readSeq[id], m.seq) } }));
      }
      if (m.sender.type === 'contact') clearTyping(ctl, id);
      const known = ctl.store.get().conversations[id];
      if (known) {
        if (m.seq > known.lastSeq) {
          const unread = typeof known.unreadCount === 'number' && !(m.sender.type === 'agent' && m.sender.id === me.id) ? known.unreadCount + 1 : known.unreadCount;
          ctl.remember({ ...known, lastSeq: m.seq, lastActivityAt: m.createdAt, ...(unread !== undefined ? { unreadCount: unread } : {}) });
        }
      } else {
        void api.conversation(id).then((c) => ctl.remember(c), () => undefined);
      }
      const r = ctl.store.get().route;
      if (r.view === 'conversations' && r.id === id && typeof document !== 'undefined' && document.visibilityState === 'visible') ctl.markRead(id);
      return;
    }
    case 'conversation.updated': {
      const c: InboxConversation = f.conversation;
      const known = ctl.store.get().conversations[c.id];
      // An update without unreadCount keeps the count we already had.
      ctl.remember(known?.unreadCount !== undefined && c.unreadCount === undefined ? { ...c, unreadCount: known.unreadCount } : c);
      return;
    }
    case 'typing': {
      if (f.actor.type === 'agent' && f.actor.id === me.id) return;
      if (!f.on) return clearTyping(ctl, f.conversationId);
      const agent = f.actor.type === 'agent' ? s.agents.find((a) => a.id === f.actor.id) : undefined;
      const contact = f.actor.type === 'contact' ? s.contacts[f.actor.id] : undefined;
      const name = agent?.name ?? contact?.name ?? (f.actor.type === 'contact' ? 'The customer' : 'An agent');
      ctl.store.set((st) => ({ typing: { ...st.typing, [f.conversationId]: { name, until: Date.now() + TYPING_TTL_MS } } }));
      setTimeout(() => {
        const t = ctl.store.get().typing[f.conversationId];
        if (t && t.until <= Date.now()) clearTyping(ctl, f.conversationId);
      }, TYPING_TTL_MS + 50);
      return;
    }
    case 'read': {
      if (f.actor.type === 'contact') {
        ctl.store.set((st) => ({ contactRead: { ...st.contactRead, [f.conversationId]: advanceRead(st.contactRead[f.conversationId], f.seq) } }));
      } else if (f.actor.id === me.id) {
        ctl.store.set((st) => ({ readSeq: { ...st.readSeq, [f.conversationId]: advanceRead(st.readSeq[f.conversationId], f.seq) } }));
      }
      return;
    }
    case 'delivery.updated':
      ctl.store.set((st) => ({ deliveries: { ...st.deliveries, [f.messageId]: { status: f.status, error: f.error } } }));
      return;
    case 'resync':
      void ctl.resyncAll();
      return;
    case 'error':
      if (!f.clientId) ctl.toast(f.message);
      return;
    default:
      return;
  }
}

function clearTyping(ctl: InboxController, id: string): void {
  if (!ctl.store.get().typing[id]) return;
  ctl.store.set((st) => {
    const typing = { ...st.typing };
    delete typing[id];
    return { typing };
  });
}
