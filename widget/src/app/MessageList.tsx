import { useEffect, useLayoutEffect, useRef } from 'preact/hooks';
import type { LogEntry } from '../core/messages.js';
import { MessageItem } from './MessageItem.js';
import { MessageText } from './MessageText.js';
import { useI18n } from './useChat.js';

export interface MessageListProps {
  log: LogEntry[];
  greeting: string | null;
  hub: string;
  open: boolean;
  onRetry: (clientId: string) => void;
}

/**
 * The conversation as a live region (`role="log"`, polite): screen readers announce added
 * messages, not state changes of old ones. Stays scrolled to the bottom unless the visitor
 * scrolled up to read.
 */
export function MessageList({ log, greeting, hub, open, onRetry }: MessageListProps) {
  const { t } = useI18n();
  const ref = useRef<HTMLDivElement>(null);
  const pinned = useRef(true);

  useLayoutEffect(() => {
    const el = ref.current;
    if (el && pinned.current) el.scrollTop = el.scrollHeight;
  }, [log, open]);

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const onScroll = () => {
      pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
    };
    el.addEventListener('scroll', onScroll, { passive: true });
    return () => el.removeEventListener('scroll', onScroll);
  }, []);

  return (
    <div ref={ref} class="sb-log" role="log" aria-live="polite" aria-relevant="additions" aria-label={t('messages')} tabIndex={0}>
      {greeting && (
        <div class="sb-msg sb-them sb-greeting">
          <div class="sb-bubble">
            <MessageText text={greeting} />
          </div>
        </div>
      )}
      {log.map((entry, i) => {
        const prev = log[i - 1];
        // A run of messages from the same person names them once.
        const continued = !!prev && !prev.own && prev.sender.type === entry.sender.type && prev.sender.id === entry.sender.id;
        return <MessageItem key={entry.key} entry={entry} hub={hub} showSender={!continued} onRetry={onRetry} />;
      })}
    </div>
  );
}
