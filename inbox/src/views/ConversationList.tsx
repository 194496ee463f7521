import { useInbox } from '../context.js';
import { ago, CHANNEL_LABEL, contactLabel } from '../format.js';
import { intentChipLabel, intentFilterOptions } from '../state/intent.js';
import type { ListFilter } from '../state/list.js';
import { unreadCount } from '../state/unread.js';
import type { ConversationStatus, InboxConversation } from '../types.js';

const STATUSES: ConversationStatus[] = ['open', 'pending', 'snoozed', 'resolved'];
const ASSIGNEES: { value: ListFilter['assignee']; label: string }[] = [
  { value: 'me', label: 'Mine' },
  { value: 'unassigned', label: 'Unassigned' },
  { value: 'all', label: 'All' },
];
const cap = (s: string) => s[0]!.toUpperCase() + s.slice(1);

/** Left pane: filters, the live conversation list (or search results), "Load more". */
export function ConversationList() {
  const [s, ctl] = useInbox();
  const f = s.filter;
  const openId = s.route.view === 'conversations' ? s.route.id : null;
  const searching = s.search.q !== '' && s.searchAvailable;
  const intents = intentFilterOptions(s.intentLabels, s.intents, f.intent);
  return (
    <section class="pane list" aria-label="Conversations">
      <div class="filters">
        <div role="group" aria-label="Status filter" class="seg">
          {STATUSES.map((st) => (
            <button key={st} type="button" aria-pressed={f.status === st} onClick={() => ctl.setFilter({ status: st })}>
              {cap(st)}
            </button>
          ))}
        </div>
        <div class="seg">
          <div role="group" aria-label="Assignee filter" class="seg">
            {ASSIGNEES.map((a) => (
              <button key={a.value} type="button" aria-pressed={f.assignee === a.value} onClick={() => ctl.setFilter({ assignee: a.value })}>
                {a.label}
              </button>
            ))}
          </div>
          <button type="button" class="triage-view" aria-pressed={f.triage} title="Conversations waiting for a human to route them" onClick={() => ctl.setFilter({ triage: !f.triage })}>
            Triage
          </button>
        </div>
        <div class="selects">
          <label>
            Inbox
            <select aria-label="Filter by inbox" value={f.inboxId} onChange={(e) => ctl.setFilter({ inboxId: e.currentTarget.value })}>
              <option value="">All inboxes</option>
              {s.inboxes.map((i) => (
                <option key={i.id} value={i.id}>
                  {i.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            Channel
            <select aria-label="Filter by channel" value={f.channel} onChange={(e) => ctl.setFilter({ channel: e.currentTarget.value as ListFilter['channel'] })}>
              <option value="">All channels</option>
              {Object.entries(CHANNEL_LABEL).map(([v, l]) => (
                <option key={v} value={v}>
                  {l}
                </option>
              ))}
            </select>
          </label>
          {s.teams.length > 0 && (
            <label>
              Team
              <select aria-label="Filter by team" value={f.teamId} onChange={(e) => ctl.setFilter({ teamId: e.currentTarget.value })}>
                <option value="">All teams</option>
                {s.teams.map((t) => (
                  <option key={t.id} value={t.id}>
                    {t.name}
                  </option>
                ))}
              </select>
            </label>
          )}
          {intents.length > 0 && (
            <label>
              Intent
              <select aria-label="Filter by intent" value={f.intent} onChange={(e) => ctl.setFilter({ intent: e.currentTarget.value })}>
                <option value="">All intents</option>
                {intents.map((i) => (
                  <option key={i} value={i}>
                    {i}
                  </option>
                ))}
              </select>
            </label>
          )}
          <label>
            Sort
            <select aria-label="Sort by" value={f.sort} onChange={(e) => ctl.setFilter({ sort: e.currentTarget.value as ListFilter['sort'] })}>
              <option value="activity">Last activity</option>
              <option value="waiting">Waiting longest</option>
            </select>
          </label>
        </div>
      </div>
      {searching ? (
        <nav aria-label="Search results" class="items">
          {s.search.loading && !s.search.results && <p class="muted">Searching…</p>}
          <ul role="list">
            {(s.search.results ?? []).map((hit) => (
              <Item key={`${hit.conversation.id}:${hit.message?.id ?? ''}`} c={hit.conversation} openId={openId} snippet={hit.message?.body ?? null} />
            ))}
          </ul>
          {s.search.results?.length === 0 && <p class="muted">No matches.</p>}
        </nav>
      ) : (
        <nav aria-label="Conversation list" class="items">
          <ul role="list">
            {s.list.map((c) => (
              <Item key={c.id} c={c} openId={openId} snippet={null} />
            ))}
          </ul>
          {s.list.length === 0 && !s.listLoading && <p class="muted">{f.triage ? `Nothing ${f.status} waits in triage.` : `No ${f.status} conversations.`}</p>}
          {s.listError && (
            <p role="alert" class="error">
              {s.listError}
            </p>
          )}
          {s.nextCursor && (
            <button type="button" class="more" disabled={s.listLoading} onClick={() => void ctl.loadList(false)}>
              {s.listLoading ? 'Loading…' : 'Load more'}
            </button>
          )}
        </nav>
      )}
    </section>
  );
}

function Item({ c, openId, snippet }: { c: InboxConversation; openId: string | null; snippet: string | null }) {
  const [s, ctl] = useInbox();
  const unread = openId === c.id ? 0 : unreadCount(c, s.readSeq[c.id]);
  const assignee = c.assigneeId ? s.agents.find((a) => a.id === c.assigneeId)?.name ?? 'someone' : null;
  const team = c.teamId ? s.teams.find((t) => t.id === c.teamId)?.name : undefined;
  const name = contactLabel(s.contacts[c.contactId], c.contactId);
  const text = snippet ?? s.previews[c.id] ?? '';
  return (
    <li data-conversation-id={c.id} class={openId === c.id ? 'current' : undefined}>
      <a
        href={`/inbox/conversations/${encodeURIComponent(c.id)}`}
        aria-current={openId === c.id ? 'page' : undefined}
        onClick={(e) => {
          e.preventDefault();
          void ctl.openConversation(c.id);
        }}
      >
        <span class="row">
          <span class="name">{name}</span>
          <span class={`badge ch-${c.channel}`}>{CHANNEL_LABEL[c.channel] ?? c.channel}</span>
          <time dateTime={c.lastActivityAt}>{ago(c.lastActivityAt)}</time>
        </span>
        <span class="row">
          <span class="preview">{text}</span>
          {unread > 0 && (
            <span class="unread" aria-label={`${unread} unread`}>
              {unread}
            </span>
          )}
        </span>
        <span class="row meta">
          {assignee ? `Assigned to ${assignee}` : 'Unassigned'}
          {team && <span class="team"> · {team}</span>}
          {c.priority !== 'none' && <span class={`prio prio-${c.priority}`}> · {c.priority}</span>}
          {c.intent && <span class="chip chip-sm">{intentChipLabel(c.intent, c.intentConfidence)}</span>}
          {c.triage && <span class="badge triage">Needs triage</span>}
        </span>
      </a>
    </li>
  );
}
