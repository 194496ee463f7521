import { timeOf } from '../format.js';
import { senderLabel, type ReplyQuote } from '../state/reply.js';
import type { Outgoing } from '../state/timeline.js';
import { isSystemEvent } from '../state/timeline.js';
import type { Attachment, Message } from '../types.js';

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

/**
 * One stored message: a bubble, a private note, or an inline system event. Bubbles and notes have
 * a "Reply to this message" button and, when they answer one, its quote.
 */
export function MessageItem({
  m,
  meId,
  readByContact,
  delivery,
  quote,
  onReply,
  onJump,
}: {
  m: Message;
  meId: string;
  readByContact: boolean;
  delivery?: { status: string; error: string | null } | undefined;
  /** The message this one answers (when it has `replyToSeq`). */
  quote: ReplyQuote | null;
  onReply: () => void;
  /** Scrolls to (and focuses) the quoted message, loading earlier pages if needed. */
  onJump: (seq: number) => void;
}) {
  if (isSystemEvent(m)) {
    return (
      <p class="event" data-seq={m.seq} role="note">
        {m.body} <time dateTime={m.createdAt}>{timeOf(m.createdAt)}</time>
      </p>
    );
  }
  const cls = m.private ? 'note' : m.direction === 'inbound' ? 'in' : 'out';
  return (
    <div class={`msg ${cls}`} data-seq={m.seq} data-private={m.private ? 'true' : undefined} data-reply-to={m.replyToSeq}>
      <div class="who">
        {m.private && <span class="note-tag">Private note</span>}
        {senderLabel(m, meId)} · <time dateTime={m.createdAt}>{timeOf(m.createdAt)}</time>
        <button type="button" class="reply-btn" aria-label="Reply to this message" title="Reply to this message" onClick={onReply}>
          ↩ Reply
        </button>
      </div>
      {quote && <Quote q={quote} onJump={onJump} />}
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

/**
 * The compact quote above a reply: sender and first line of the message it answers, a button
 * that goes to that message (an unloaded one is fetched first).
 */
export function Quote({ q, onJump }: { q: ReplyQuote; onJump: (seq: number) => void }) {
  const label = q.loaded ? `In reply to ${q.who}: ${q.text}` : 'In reply to an earlier message: show it';
  return (
    <button type="button" class="quote" aria-label={label} title="Show the original message" onClick={() => onJump(q.seq)}>
      <span class="quote-who">{q.loaded ? `${q.who}:` : q.who}</span> {q.loaded ? q.text : 'show it'}
    </button>
  );
}

/** A message this inbox is sending, or failed to send (with Retry). */
export function PendingItem({ p, quote, onRetry, onJump }: { p: Outgoing; quote: ReplyQuote | null; onRetry: () => void; onJump: (seq: number) => void }) {
  return (
    <div class={`msg ${p.private ? 'note' : 'out'} pending`} data-state={p.state}>
      <div class="who">{p.private && <span class="note-tag">Private note</span>}You</div>
      {quote && <Quote q={quote} onJump={onJump} />}
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
