import type { InboxController } from './state/controller.js';
import { commandFor, step } from './state/shortcuts.js';

const inField = (t: EventTarget | null): boolean => {
  const el = t as HTMLElement | null;
  if (!el || !el.tagName) return false;
  return el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName);
};

/** Binds the keyboard map (state/shortcuts.ts) to the document. */
export function installShortcuts(ctl: InboxController): void {
  document.addEventListener('keydown', (e) => {
    const s = ctl.store.get();
    if (!s.me) return;
    const command = commandFor({ key: e.key, ctrlKey: e.ctrlKey, metaKey: e.metaKey, altKey: e.altKey, inField: inField(e.target) });
    if (!command) return;
    const r = s.route;
    const openId = r.view === 'conversations' ? r.id : null;
    switch (command) {
      case 'next':
      case 'previous': {
        if (r.view !== 'conversations' || s.list.length === 0) return;
        const i = step(s.list.findIndex((c) => c.id === openId), s.list.length, command);
        const target = s.list[i];
        if (target) void ctl.openConversation(target.id);
        break;
      }
      case 'reply':
      case 'note':
        if (!openId) return;
        ctl.store.set({ composerFocus: { mode: command, at: Date.now() } });
        break;
      case 'resolve':
        if (!openId) return;
        void ctl.patch(openId, { status: 'resolved' });
        break;
      case 'assignMe':
        if (!openId) return;
        void ctl.patch(openId, { assigneeId: s.me.id });
        break;
      case 'search': {
        const box = document.getElementById('inbox-search');
        if (!box) return;
        box.focus();
        break;
      }
      case 'help':
        ctl.store.set({ showHelp: true });
        break;
      case 'close':
        if (!s.showHelp) return;
        ctl.store.set({ showHelp: false });
        break;
    }
    e.preventDefault();
  });
}
