import { useRef, useState } from 'preact/hooks';
import { ApiError } from '../core/api.js';
import type { ChatClient } from '../core/chat.js';
import { ACCEPTED_TYPES, checkFile } from '../core/files.js';
import type { Attachment } from '../core/types.js';
import { fileSize } from './Attachments.js';
import { AttachIcon, SendIcon } from './icons.js';
import { useI18n } from './useChat.js';

export interface ComposerProps {
  client: ChatClient;
  /** Set by the panel so it can focus the box on open. */
  inputRef: { current: HTMLTextAreaElement | null };
  /** Largest file the server accepts, from the session's inbox info. */
  maxBytes: number;
}

/** Maps upload failures onto UI strings; the server's own message for anything unexpected. */
function uploadError(err: unknown, t: ReturnType<typeof useI18n>['t'], maxBytes: number): string {
  if (err instanceof ApiError) {
    if (err.code === 'SB_ERR_ATTACHMENT_TOO_LARGE') return t('fileTooLarge', { max: fileSize(maxBytes) });
    if (err.code === 'SB_ERR_ATTACHMENT_TYPE') return t('fileType');
    return err.message;
  }
  return t('uploadFailed');
}

/** Message box, attach and send. Enter sends, Shift+Enter adds a line. */
export function Composer({ client, inputRef, maxBytes }: ComposerProps) {
  const { t } = useI18n();
  const [text, setText] = useState('');
  const [files, setFiles] = useState<Attachment[]>([]);
  const [uploading, setUploading] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);

  const submit = () => {
    if (uploading > 0 || (!text.trim() && files.length === 0)) return;
    client.send(text, files);
    setText('');
    setFiles([]);
    setError(null);
  };

  const onKeyDown = (e: KeyboardEvent) => {
    // isComposing: Enter that confirms an IME candidate (Chinese input) must not send.
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      submit();
    }
  };

  const onPick = async () => {
    const input = fileInput.current;
    const picked = input?.files ? Array.from(input.files) : [];
    if (input) input.value = '';
    for (const file of picked) {
      const problem = checkFile(file, maxBytes);
      if (problem) {
        setError(t(problem, { max: fileSize(maxBytes) }));
        continue;
      }
      setError(null);
      setUploading((n) => n + 1);
      try {
        const uploaded = await client.upload(file);
        setFiles((list) => [...list, uploaded]);
      } catch (err) {
        setError(uploadError(err, t, maxBytes));
      } finally {
        setUploading((n) => n - 1);
      }
    }
  };

  return (
    <form
      class="sb-composer"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      {error && (
        <p class="sb-error" role="alert">
          {error}
        </p>
      )}
      {files.length > 0 && (
        <ul class="sb-chips">
          {files.map((f) => (
            <li key={f.id}>
              {f.name}
              <button type="button" aria-label={t('removeAttachment', { name: f.name })} onClick={() => setFiles((l) => l.filter((x) => x.id !== f.id))}>
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <div class="sb-row">
        <textarea
          ref={inputRef}
          class="sb-input"
          rows={1}
          aria-label={t('typeMessage')}
          placeholder={t('typeMessage')}
          value={text}
          onInput={(e) => {
            const v = e.currentTarget.value;
            setText(v);
            client.composing(v.trim() !== '');
          }}
          onKeyDown={onKeyDown}
        />
        <input ref={fileInput} class="sb-file-input" type="file" hidden tabIndex={-1} accept={ACCEPTED_TYPES.join(',')} multiple onChange={() => void onPick()} />
        <button type="button" class="sb-icon" aria-label={t('attach')} onClick={() => fileInput.current?.click()}>
          <AttachIcon />
        </button>
        <button type="submit" class="sb-icon sb-send" aria-label={t('send')} aria-busy={uploading > 0}>
          <SendIcon />
        </button>
      </div>
    </form>
  );
}
