import { useEffect, useLayoutEffect, useRef } from 'preact/hooks';
import { useInbox } from '../context.js';
import { CHANNEL_LABEL, contactLabel } from '../format.js';
import { Actions } from '../components/Actions.js';
import { Composer } from '../components/Composer.js';
import { IntentChip } from '../components/IntentChip.js';
import { MessageItem, PendingItem } from '../components/MessageItem.js';
import { findBySeq, replyQuote } from '../state/reply.js';

/** Middle pane: header, actions, the timeline (role="log"), typing indicator and composer. */
export function ConversationView({ id }: { id: string }) {
  const [s, ctl] = useInbox();
  const c = s.conversations[id];
  const t = s.timelines[id];
  const log = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  const count = (t?.messages.length ?? 0) + (t?.pending.length ?? 0);
  const lastSeq = t?.messages[t.messages.length - 1]?.seq ?? 0;

  useEffect(() => {
    stick.current = true;
  }, [id]);
  useLayoutEffect(() => {
    const el = log.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [count, lastSeq, id]);

  if (!c || !t) {
    return (
      <section class="pane convo" aria-label="Conversation">
        {t?.error ? (
          <p role="alert" class="error">
            {t.error}
          </p>
        ) : (
          <p class="muted">Loading…</p>
        )}
      </section>
    );
  }
  const contact = s.contacts[c.contactId];
  const typing = s.typing[id];
  const contactRead = s.contactRead[id] ?? 0;
  const meId = s.me!.id;
  const quoteOf = (seq: number | undefined) => (seq === undefined ? null : replyQuote(t.messages, seq, meId));
  /** Scrolls to the quoted message and focuses it (earlier pages load first when needed). */
  const jump = async (seq: number) => {
    if (!findBySeq(ctl.timeline(id).messages, seq)) await ctl.loadUntil(id, seq);
    requestAnimationFrame(() => {
      const el = log.current?.querySelector<HTMLElement>(`.msg[data-seq="${seq}"]`);
      if (!el) return ctl.toast('The original message is no longer available.');
      el.tabIndex = -1;
      el.scrollIntoView({ block: 'center' });
      el.focus({ preventScroll: true });
    });
  };
  return (
    <section class="pane convo" aria-label="Conversation">
      <header class="convo-head">
        <h2>{contactLabel(contact, c.contactId)}</h2>
        <span class={`badge ch-${c.channel}`}>{CHANNEL_LABEL[c.channel] ?? c.channel}</span>
        <span class={`status st-${c.status}`}>{c.status}</span>
        <IntentChip conversation={c} />
      </header>
      <Actions conversation={c} />
      <div
        class="timeline"
        role="log"
        aria-label="Messages"
        ref={log}
        onScroll={(e) => {
          const el = e.currentTarget;
          stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
        }}
      >
        {t.hasEarlier && (
          <button type="button" class="earlier" disabled={t.loading} onClick={() => void ctl.loadEarlier(id)}>
            {t.loading ? 'Loading…' : 'Load earlier'}
          </button>
        )}
        {t.messages.map((m) => (
          <MessageItem
            key={m.seq}
            m={m}
            meId={meId}
            readByContact={contactRead >= m.seq}
            delivery={s.deliveries[m.id]}
            quote={quoteOf(m.replyToSeq)}
            onReply={() => ctl.replyTo(id, m.seq)}
            onJump={(seq) => void jump(seq)}
          />
        ))}
        {t.pending.map((p) => (
          <PendingItem key={p.clientId} p={p} quote={quoteOf(p.replyToSeq)} onRetry={() => void ctl.retry(id, p.clientId)} onJump={(seq) => void jump(seq)} />
        ))}
      </div>
      <p class="typing" aria-live="polite">
        {typing ? `${typing.name} is typing…` : ''}
      </p>
      <Composer conversation={c} />
    </section>
  );
}
