import type { LogEntry } from '../core/messages.js';
import { Attachments } from './Attachments.js';
import { MessageText } from './MessageText.js';
import { useI18n } from './useChat.js';

export interface MessageItemProps {
  entry: LogEntry;
  hub: string;
  /** False inside a run of messages from the same sender. */
  showSender: boolean;
  onRetry: (clientId: string) => void;
}

/** Time of day; older messages get their date too. */
function formatTime(iso: string, locale: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const sameDay = d.toDateString() === new Date().toDateString();
  const opts: Intl.DateTimeFormatOptions = sameDay ? { hour: 'numeric', minute: '2-digit' } : { month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' };
  try {
    return new Intl.DateTimeFormat(locale, opts).format(d);
  } catch {
    return d.toISOString().slice(11, 16);
  }
}

/**
 * One message. `data-seq` carries the server sequence (absent while local), `data-state` the
 * delivery state of the visitor's own messages (sending / sent / failed).
 */
export function MessageItem({ entry, hub, showSender, onRetry }: MessageItemProps) {
  const { t, locale } = useI18n();
  const kind = entry.own ? 'own' : entry.sender.type === 'system' ? 'system' : 'them';
  const stateLabel = entry.state === 'sending' ? t('sending') : entry.state === 'failed' ? t('failed') : entry.state === 'sent' ? t('sent') : null;
  return (
    <div
      class={`sb-msg sb-${kind}`}
      data-seq={entry.seq ?? undefined}
      data-state={entry.state ?? undefined}
      data-sender={entry.sender.type}
    >
      {kind === 'them' && (
        // Screen readers hear the name on every message; the eye sees it once per run.
        <span class={showSender ? 'sb-sender' : 'sb-sr'}>{entry.sender.name || t('someone')}</span>
      )}
      {kind === 'own' && <span class="sb-sr">{t('you')}: </span>}
      <div class="sb-bubble">
        <MessageText text={entry.body} />
        <Attachments items={entry.attachments} hub={hub} />
      </div>
      <div class="sb-meta">
        <time dateTime={entry.createdAt}>{formatTime(entry.createdAt, locale)}</time>
        {stateLabel && <span class="sb-state"> · {stateLabel}</span>}
        {entry.state === 'failed' && entry.clientId && (
          <button type="button" class="sb-retry" onClick={() => onRetry(entry.clientId!)}>
            {t('retry')}
          </button>
        )}
      </div>
    </div>
  );
}
