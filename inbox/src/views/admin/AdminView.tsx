import type { ComponentType } from 'preact';
import { useInbox } from '../../context.js';
import type { AdminTab } from '../../state/router.js';
import { AgentsAdmin } from './AgentsAdmin.js';
import { CannedAdmin } from './CannedAdmin.js';
import { InboxesAdmin } from './InboxesAdmin.js';
import { RoutingAdmin } from './RoutingAdmin.js';

const TABS: { tab: AdminTab; label: string }[] = [
  { tab: 'inboxes', label: 'Inboxes' },
  { tab: 'agents', label: 'Agents & teams' },
  { tab: 'canned', label: 'Canned responses' },
  { tab: 'routing', label: 'Routing' },
];
const BODY: Record<AdminTab, ComponentType> = { inboxes: InboxesAdmin, agents: AgentsAdmin, canned: CannedAdmin, routing: RoutingAdmin };

/** Admin screens (only rendered for admins; the server enforces it too). */
export function AdminView({ tab }: { tab: AdminTab }) {
  const [, ctl] = useInbox();
  const Body = BODY[tab];
  return (
    <main class="admin">
      <nav aria-label="Admin sections" class="admin-tabs">
        {TABS.map((t) => (
          <a
            key={t.tab}
            href={`/inbox/admin/${t.tab}`}
            aria-current={t.tab === tab ? 'page' : undefined}
            onClick={(e) => {
              e.preventDefault();
              ctl.navigate({ view: 'admin', tab: t.tab });
            }}
          >
            {t.label}
          </a>
        ))}
      </nav>
      <div class="admin-body">
        <Body />
      </div>
    </main>
  );
}
