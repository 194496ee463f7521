import { timeOf } from '../format.js';
import type { Outgoing } from '../state/timeline.js';
import { isSystemEvent } from '../state/timeline.js';
import type { Attachment, Message } from '../types.js';

/** One stored message: a bubble, a private note, or an inline system event. */
const DELIVERY_LABELS: Record<string, string> = {
  queued: 'Queued',
  sending: 'Sending…',
  retrying: 'Retrying…',
  sent: 'Delivered',
  failed: 'Not delivered',
  unreachable: 'Not delivered: blocked',
};

/** Delivery state of a reply: the provider channel's when known, else Sent / Read. */
function replyState(readByContact: boolean, delivery: { status: string; error: string | null } | undefined): string {
  if (readByContact) return 'Read';
  if (!delivery) return 'Sent';
  const label = DELIVERY_LABELS[delivery.status] ?? delivery.status;
  return delivery.error && delivery.status !== 'sent' ? `${label} (${delivery.error})` : label;
}

export function MessageItem({
  m,
  meId,
  readByContact,
  delivery,
}: {
  m: Message;
  meId: string;
  readByContact: boolean;
  delivery?: { status: string; error: string | null } | undefined;
}) {
  if (isSystemEvent(m)) {
    return (
      <p class="event" data-seq={m.seq} role="note">
        {m.body} <time dateTime={m.createdAt}>{timeOf(m.createdAt)}</time>
      </p>
    );
  }
  const cls = m.private ? 'note' : m.direction === 'inbound' ? 'in' : 'out';
  const who = m.sender.type === 'agent' && m.sender.id === meId ? 'You' : m.sender.name ?? (m.sender.type === 'contact' ? 'Customer' : m.sender.type);
  return (
    <div class={`msg ${cls}`} data-seq={m.seq} data-private={m.private ? 'true' : undefined}>
      <div class="who">
        {m.private && <span class="note-tag">Private note</span>}
        {who} · <time dateTime={m.createdAt}>{timeOf(m.createdAt)}</time>
      </div>
      {m.body && <div class="body">{m.body}</div>}
      {m.attachments.length > 0 && <Attachments items={m.attachments} />}
      {m.direction === 'outbound' && !m.private && (
        <div class="state" data-delivery={delivery?.status}>
          {replyState(readByContact, delivery)}
        </div>
      )}
    </div>
  );
}

/** A message this inbox is sending, or failed to send (with Retry). */
export function PendingItem({ p, onRetry }: { p: Outgoing; onRetry: () => void }) {
  return (
    <div class={`msg ${p.private ? 'note' : 'out'} pending`} data-state={p.state}>
      <div class="who">{p.private && <span class="note-tag">Private note</span>}You</div>
      {p.body && <div class="body">{p.body}</div>}
      {p.attachmentNames.length > 0 && <div class="files">📎 {p.attachmentNames.join(', ')}</div>}
      <div class="state">
        {p.state === 'sending' ? (
          'Sending…'
        ) : (
          <>
            <span role="alert">Failed to send{p.error ? `: ${p.error}` : ''}</span>{' '}
            <button type="button" onClick={onRetry}>
              Retry
            </button>
          </>
        )}
      </div>
    </div>
  );
}

function Attachments({ items }: { items: Attachment[] }) {
  return (
    <ul class="files" role="list">
      {items.map((a) => (
        <li key={a.id}>
          <a href={a.url} target="_blank" rel="noopener noreferrer">
            {a.contentType.startsWith('image/') ? <img src={a.url} alt={a.name} loading="lazy" /> : `📎 ${a.name}`}
          </a>
        </li>
      ))}
    </ul>
  );
}
