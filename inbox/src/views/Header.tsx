import { useEffect, useRef, useState } from 'preact/hooks';
import { useInbox } from '../context.js';

/** Top bar: navigation, search, presence, connection state, sign out. */
export function Header() {
  const [s, ctl] = useInbox();
  const me = s.me!;
  const [q, setQ] = useState(s.search.q);
  const timer = useRef<ReturnType<typeof setTimeout>>();
  useEffect(() => {
    clearTimeout(timer.current);
    timer.current = setTimeout(() => void ctl.runSearch(q.trim()), 250);
    return () => clearTimeout(timer.current);
  }, [q]);
  const link = (e: MouseEvent, go: () => void) => {
    e.preventDefault();
    go();
  };
  return (
    <header class="topbar">
      <strong class="brand">Switchboard</strong>
      <nav aria-label="Main">
        <a href="/inbox/" aria-current={s.route.view === 'conversations' ? 'page' : undefined} onClick={(e) => link(e, () => ctl.navigate({ view: 'conversations', id: null }))}>
          Conversations
        </a>
        {me.role === 'admin' && (
          <a href="/inbox/admin/inboxes" aria-current={s.route.view === 'admin' ? 'page' : undefined} onClick={(e) => link(e, () => ctl.navigate({ view: 'admin', tab: 'inboxes' }))}>
            Admin
          </a>
        )}
      </nav>
      {s.searchAvailable && (
        <div class="search" role="search">
          <label for="inbox-search" class="sr-only">
            Search conversations
          </label>
          <input
            id="inbox-search"
            type="search"
            placeholder="Search conversations and messages (/)"
            value={q}
            onInput={(e) => setQ(e.currentTarget.value)}
            onKeyDown={(e) => {
              if (e.key === 'Escape') {
                setQ('');
                e.currentTarget.blur();
              }
            }}
          />
        </div>
      )}
      <span class={`conn conn-${s.connection}`} role="status" aria-label={`Connection: ${s.connection}`}>
        {s.connection === 'online' ? 'Live' : s.connection === 'connecting' ? 'Connecting…' : 'Offline — reconnecting'}
      </span>
      {s.presenceToggle && (
        <label class="presence">
          Presence
          <select value={s.myStatus} onChange={(e) => void ctl.setStatus(e.currentTarget.value as 'online' | 'away')}>
            <option value="online">Online</option>
            <option value="away">Away</option>
          </select>
        </label>
      )}
      <button type="button" class="linkish" aria-label="Keyboard shortcuts" onClick={() => ctl.store.set({ showHelp: true })}>
        ?
      </button>
      <span class="me" title={me.email}>
        {me.name} <small>({me.role})</small>
      </span>
      <button type="button" onClick={() => void ctl.logout()}>
        Sign out
      </button>
    </header>
  );
}
