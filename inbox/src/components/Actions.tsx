import { useState } from 'preact/hooks';
import { useInbox } from '../context.js';
import type { InboxConversation, Priority } from '../types.js';

const PRIORITIES: Priority[] = ['none', 'low', 'medium', 'high', 'urgent'];

/** Assignment, team, priority and status controls of one conversation. */
export function Actions({ conversation: c }: { conversation: InboxConversation }) {
  const [s, ctl] = useInbox();
  const me = s.me!;
  const [until, setUntil] = useState('');
  return (
    <div class="actions" role="toolbar" aria-label="Conversation actions">
      {c.assigneeId !== me.id && (
        <button type="button" onClick={() => void ctl.patch(c.id, { assigneeId: me.id })}>
          Assign to me
        </button>
      )}
      <label>
        Assignee
        <select aria-label="Assignee" value={c.assigneeId ?? ''} onChange={(e) => void ctl.patch(c.id, { assigneeId: e.currentTarget.value || null })}>
          <option value="">Unassigned</option>
          {s.agents.map((a) => (
            <option key={a.id} value={a.id}>
              {a.name}
              {s.online.includes(a.id) ? ' ●' : ''}
            </option>
          ))}
        </select>
      </label>
      <label>
        Team
        <select aria-label="Team" value={c.teamId ?? ''} onChange={(e) => void ctl.patch(c.id, { teamId: e.currentTarget.value || null })}>
          <option value="">No team</option>
          {s.teams.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        Priority
        <select aria-label="Priority" value={c.priority} onChange={(e) => void ctl.patch(c.id, { priority: e.currentTarget.value as Priority })}>
          {PRIORITIES.map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </select>
      </label>
      {c.status === 'resolved' || c.status === 'snoozed' || c.status === 'pending' ? (
        <button type="button" onClick={() => void ctl.patch(c.id, { status: 'open' })}>
          Reopen
        </button>
      ) : null}
      {c.status !== 'resolved' && (
        <button type="button" class="primary" onClick={() => void ctl.patch(c.id, { status: 'resolved' })}>
          Resolve
        </button>
      )}
      <form
        class="snooze"
        onSubmit={(e) => {
          e.preventDefault();
          const when = Date.parse(until);
          if (!Number.isFinite(when)) return ctl.toast('Pick a date and time to snooze until.');
          void ctl.patch(c.id, { status: 'snoozed', snoozedUntil: new Date(when).toISOString() });
        }}
      >
        <label>
          Snooze until
          <input type="datetime-local" value={until} onInput={(e) => setUntil(e.currentTarget.value)} />
        </label>
        <button type="submit">Snooze</button>
      </form>
      {c.status === 'snoozed' && c.snoozedUntil && <span class="muted">Snoozed until {new Date(c.snoozedUntil).toLocaleString()}</span>}
    </div>
  );
}
