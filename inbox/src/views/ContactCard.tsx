import { useInbox } from '../context.js';
import { ago, CHANNEL_LABEL, contactLabel } from '../format.js';
import type { InboxConversation } from '../types.js';

/** Right pane: who the customer is, on which channels, and their other conversations. */
export function ContactCard({ conversation: c }: { conversation: InboxConversation }) {
  const [s, ctl] = useInbox();
  const contact = s.contacts[c.contactId];
  const history = s.contactHistory[c.contactId] ?? [];
  const inboxName = (id: string) => s.inboxes.find((i) => i.id === id)?.name ?? id;
  return (
    <aside class="pane contact" aria-label="Contact">
      <h2>{contactLabel(contact, c.contactId)}</h2>
      <dl>
        <dt>Email</dt>
        <dd>{contact?.email ?? '—'}</dd>
        {contact?.phone && (
          <>
            <dt>Phone</dt>
            <dd>{contact.phone}</dd>
          </>
        )}
      </dl>
      <h3>Channels</h3>
      <ul role="list" aria-label="Channel identities">
        {(contact?.identities ?? []).map((i) => (
          <li key={`${i.inboxId}:${i.externalId}`}>
            <span class={`badge ch-${i.channel}`}>{CHANNEL_LABEL[i.channel] ?? i.channel}</span> {inboxName(i.inboxId)} <code>{i.externalId}</code>
          </li>
        ))}
      </ul>
      <h3>Conversations</h3>
      <ul role="list" aria-label="Past conversations">
        {history.map((h) => (
          <li key={h.id}>
            <a
              href={`/inbox/conversations/${encodeURIComponent(h.id)}`}
              aria-current={h.id === c.id ? 'page' : undefined}
              onClick={(e) => {
                e.preventDefault();
                void ctl.openConversation(h.id);
              }}
            >
              {CHANNEL_LABEL[h.channel] ?? h.channel} · {h.status} · {ago(h.lastActivityAt)}
            </a>
          </li>
        ))}
      </ul>
    </aside>
  );
}
