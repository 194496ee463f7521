import { useState } from 'preact/hooks';
import type { ChatClient } from '../core/chat.js';
import { useI18n } from './useChat.js';

export interface PreChatFormProps {
  client: ChatClient;
  firstFieldRef: { current: HTMLInputElement | null };
}

/** Name and email before the first message, when the inbox asks for them. */
export function PreChatForm({ client, firstFieldRef }: PreChatFormProps) {
  const { t } = useI18n();
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await client.submitPreChat({ ...(name.trim() ? { name: name.trim() } : {}), ...(email.trim() ? { email: email.trim() } : {}) });
    } catch (err) {
      setError(err instanceof Error && err.name === 'ApiError' ? err.message : t('sessionFailed'));
      setBusy(false);
    }
  };

  return (
    <form class="sb-prechat" onSubmit={(e) => void submit(e)}>
      <p>{t('preChatIntro')}</p>
      <label>
        {t('name')}
        <input ref={firstFieldRef} type="text" autoComplete="name" required maxLength={200} value={name} onInput={(e) => setName(e.currentTarget.value)} />
      </label>
      <label>
        {t('email')}
        <input type="email" autoComplete="email" required maxLength={320} value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
      </label>
      {error && (
        <p class="sb-error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" class="sb-primary" disabled={busy}>
        {t('startChat')}
      </button>
    </form>
  );
}
