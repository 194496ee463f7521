import { useEffect, useRef } from 'preact/hooks';
import type { ChatClient } from '../core/chat.js';
import { Composer } from './Composer.js';
import { MAX_FILE_BYTES } from '../core/files.js';
import { CloseIcon } from './icons.js';
import { MessageList } from './MessageList.js';
import { PreChatForm } from './PreChatForm.js';
import { useChat, useI18n } from './useChat.js';

export interface PanelProps {
  client: ChatClient;
  hub: string;
  open: boolean;
  onClose: () => void;
}

/** Up to two initials of a name ("Ada Lovelace" → "AL", "客服" → "客"). */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? [words[0]!, words[words.length - 1]!] : words;
  return letters.map((w) => Array.from(w)[0]!.toUpperCase()).join('') || '?';
}

/** The chat panel: header, notes, log (or pre-chat form) and composer. (Escape is the loader's.) */
export function Panel({ client, hub, open, onClose }: PanelProps) {
  const { t, locale } = useI18n();
  const state = useChat(client);
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const firstFieldRef = useRef<HTMLInputElement>(null);
  const { inbox, log, typing } = state;
  const showPreChat = state.preChatNeeded && log.length === 0;

  useEffect(() => {
    // Focus the box on open; the panel may be rendering its first frame, so wait one tick.
    if (open) setTimeout(() => (showPreChat ? firstFieldRef.current : inputRef.current)?.focus(), 0);
  }, [open, showPreChat]);

  const title = state.agentName ?? inbox?.name ?? t('chatTitle');
  const subtitle = state.status === 'connecting' ? t('connecting') : state.agentName && inbox?.name ? inbox.name : null;

  return (
    <section
      class="sb-panel"
      role="dialog"
      aria-label={inbox?.name ?? t('chatTitle')}
      lang={locale}
      hidden={!open}
    >
      <header class="sb-head">
        <span class="sb-avatar" aria-hidden="true">
          {initials(title)}
        </span>
        <div class="sb-titles">
          <h2 class="sb-title">{title}</h2>
          {subtitle && <p class="sb-sub">{subtitle}</p>}
        </div>
        <button type="button" class="sb-icon sb-close" aria-label={t('minimize')} onClick={onClose}>
          <CloseIcon />
        </button>
      </header>
      {state.status === 'error' && (
        <p class="sb-note sb-warn" role="alert">
          {state.errorCode === 'SB_ERR_ORIGIN_NOT_ALLOWED' ? t('originRefused') : t('sessionFailed')}
        </p>
      )}
      {state.status === 'offline' && (
        <p class="sb-note" role="status">
          {t('offline')}
        </p>
      )}
      {inbox && !inbox.agentsOnline && <p class="sb-note">{t('away')}</p>}
      {showPreChat ? (
        <PreChatForm client={client} firstFieldRef={firstFieldRef} />
      ) : (
        <>
          <MessageList log={log} greeting={inbox?.greeting ?? null} hub={hub} open={open} onRetry={(id) => client.retry(id)} />
          <p class="sb-typing" aria-hidden={typing === null}>
            {typing !== null ? t('typing', { name: typing || t('someone') }) : ''}
          </p>
          <Composer client={client} inputRef={inputRef} maxBytes={inbox?.maxAttachmentBytes ?? MAX_FILE_BYTES} />
        </>
      )}
    </section>
  );
}
