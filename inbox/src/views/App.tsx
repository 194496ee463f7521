import { useInbox } from '../context.js';
import { ShortcutHelp } from '../components/ShortcutHelp.js';
import { AdminView } from './admin/AdminView.js';
import { ContactCard } from './ContactCard.js';
import { ConversationList } from './ConversationList.js';
import { ConversationView } from './ConversationView.js';
import { Header } from './Header.js';
import { Login } from './Login.js';

/** The whole inbox: login, or header + three panes (or the admin screens). */
export function App() {
  const [s, ctl] = useInbox();
  if (!s.authChecked) return <p class="loading">Loading…</p>;
  if (!s.me) return <Login />;
  const r = s.route;
  const open = r.view === 'conversations' && r.id ? s.conversations[r.id] : undefined;
  return (
    <div class="shell">
      <Header />
      {r.view === 'admin' && s.me.role === 'admin' ? (
        <AdminView tab={r.tab} />
      ) : (
        <main class="panes">
          <ConversationList />
          {r.view === 'conversations' && r.id ? (
            <ConversationView id={r.id} />
          ) : (
            <section class="pane empty" aria-label="Conversation">
              <p>Select a conversation. Press ? for keyboard shortcuts.</p>
            </section>
          )}
          {open ? <ContactCard conversation={open} /> : <aside class="pane contact" aria-label="Contact" />}
        </main>
      )}
      {s.showHelp && <ShortcutHelp onClose={() => ctl.store.set({ showHelp: false })} />}
      {s.toast && (
        <div class="toast" role="alert">
          {s.toast}
          <button type="button" onClick={() => ctl.toast(null)}>
            Dismiss
          </button>
        </div>
      )}
    </div>
  );
}
