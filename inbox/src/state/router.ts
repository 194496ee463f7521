/** Client-side routes under `/inbox/` (history.pushState; the server serves index.html for all). */
export type AdminTab = 'inboxes' | 'agents' | 'canned' | 'routing';
export type Route = { view: 'conversations'; id: string | null } | { view: 'admin'; tab: AdminTab };

export const BASE = '/inbox/';

/** The route for a pathname like `/inbox/conversations/abc` or `/inbox/admin/agents`. */
export function parseRoute(pathname: string): Route {
  const rest = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : '';
  const parts = rest.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'admin') {
    const tab = parts[1] === 'agents' || parts[1] === 'canned' || parts[1] === 'routing' ? parts[1] : 'inboxes';
    return { view: 'admin', tab };
  }
  if (parts[0] === 'conversations' && parts[1]) return { view: 'conversations', id: parts[1] };
  return { view: 'conversations', id: null };
}

/** The pathname of a route. */
export function routePath(r: Route): string {
  if (r.view === 'admin') return `${BASE}admin/${r.tab}`;
  return r.id ? `${BASE}conversations/${encodeURIComponent(r.id)}` : BASE;
}
