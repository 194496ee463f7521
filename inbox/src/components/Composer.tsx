import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api/endpoints.js';
import { describeError } from '../api/http.js';
import { useInbox } from '../context.js';
import { insertCanned, matchCanned, slashQueryAt, type SlashQuery } from '../state/canned.js';
import { replyBlocked, replyQuote } from '../state/reply.js';
import type { Attachment, InboxConversation } from '../types.js';

const drafts = new Map<string, string>();

/**
 * Reply / private-note composer: Enter sends, Shift+Enter is a newline, `/` opens the canned
 * responses, files upload first and go with the message by id.
 */
export function Composer({ conversation: c }: { conversation: InboxConversation }) {
  const [s, ctl] = useInbox();
  const [mode, setMode] = useState<'reply' | 'note'>('reply');
  const [text, setText] = useState(drafts.get(c.id) ?? '');
  const [slash, setSlash] = useState<SlashQuery | null>(null);
  const [pick, setPick] = useState(0);
  const [files, setFiles] = useState<Attachment[]>([]);
  const [uploading, setUploading] = useState(0);
  const box = useRef<HTMLTextAreaElement>(null);
  const typingOn = useRef(0);
  const typingOff = useRef<ReturnType<typeof setTimeout>>();

  useEffect(() => {
    setText(drafts.get(c.id) ?? '');
    setFiles([]);
    setSlash(null);
  }, [c.id]);
  useEffect(() => {
    if (!s.composerFocus) return;
    if (s.composerFocus.mode) setMode(s.composerFocus.mode);
    box.current?.focus();
  }, [s.composerFocus?.at]);

  const matches = slash ? matchCanned(s.canned, slash.query) : [];
  const note = mode === 'note';
  const replySeq = s.replyTo[c.id];
  const target = replySeq === undefined ? null : replyQuote(s.timelines[c.id]?.messages ?? [], replySeq, s.me?.id ?? null);
  const blocked = replyBlocked(target, note);
  const cancelReply = () => {
    ctl.replyTo(c.id, null);
    box.current?.focus();
  };

  const update = (value: string, caret: number) => {
    setText(value);
    drafts.set(c.id, value);
    const q = slashQueryAt(value, caret);
    setSlash(q);
    setPick(0);
    if (!note && value.trim()) {
      if (Date.now() - typingOn.current > 3000) {
        typingOn.current = Date.now();
        ctl.typing(c.id, true);
      }
      clearTimeout(typingOff.current);
      typingOff.current = setTimeout(() => stopTyping(), 4000);
    }
  };
  const stopTyping = () => {
    clearTimeout(typingOff.current);
    if (typingOn.current) ctl.typing(c.id, false);
    typingOn.current = 0;
  };
  const choose = (i: number) => {
    const r = matches[i];
    const el = box.current;
    if (!r || !slash || !el) return;
    const out = insertCanned(text, slash, el.selectionStart ?? text.length, r);
    setText(out.text);
    drafts.set(c.id, out.text);
    setSlash(null);
    requestAnimationFrame(() => el.setSelectionRange(out.caret, out.caret));
  };
  const send = () => {
    const body = text.trim();
    if ((!body && files.length === 0) || uploading > 0 || blocked) return;
    void ctl.send(c.id, body, note, files.map((f) => ({ id: f.id, name: f.name })), replySeq);
    setText('');
    drafts.delete(c.id);
    setFiles([]);
    stopTyping();
  };
  const attach = async (list: FileList | null) => {
    for (const file of Array.from(list ?? [])) {
      setUploading((n) => n + 1);
      try {
        const a = await api.upload(file);
        setFiles((f) => [...f, a]);
      } catch (err) {
        ctl.toast(`${file.name}: ${describeError(err)}`);
      } finally {
        setUploading((n) => n - 1);
      }
    }
  };

  return (
    <form
      class={`composer ${note ? 'is-note' : ''}`}
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
      onKeyDown={(e) => {
        // Esc drops the reply target, unless it just closed the canned-responses list.
        if (e.key === 'Escape' && target && !e.defaultPrevented) {
          e.preventDefault();
          cancelReply();
        }
      }}
    >
      <div role="group" aria-label="Composer mode" class="seg">
        <button type="button" aria-pressed={!note} onClick={() => setMode('reply')}>
          Reply
        </button>
        <button type="button" aria-pressed={note} onClick={() => setMode('note')}>
          Private note
        </button>
        {note && <span class="note-warn">Only agents see notes — never sent to the customer.</span>}
      </div>
      {target && (
        <div class="replying" data-reply-to={target.seq}>
          <span class="replying-text" id="composer-reply">
            Replying to: <strong>{target.who}</strong> {target.text}
          </span>
          <button type="button" aria-label="Cancel reply" title="Cancel reply (Esc)" onClick={cancelReply}>
            ×
          </button>
          {blocked && (
            <p class="error" role="alert">
              {blocked}
            </p>
          )}
        </div>
      )}
      <label for="composer-text" class="sr-only">
        Message
      </label>
      <textarea
        id="composer-text"
        ref={box}
        rows={3}
        value={text}
        placeholder={note ? 'Write a private note for your team…' : 'Reply to the customer… (/ for canned responses)'}
        aria-controls={matches.length ? 'canned-list' : undefined}
        aria-autocomplete="list"
        aria-describedby={target ? 'composer-reply' : undefined}
        aria-activedescendant={matches.length ? `canned-${pick}` : undefined}
        onInput={(e) => update(e.currentTarget.value, e.currentTarget.selectionStart ?? e.currentTarget.value.length)}
        onKeyDown={(e) => {
          if (matches.length > 0) {
            if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
              e.preventDefault();
              setPick((p) => (p + (e.key === 'ArrowDown' ? 1 : matches.length - 1)) % matches.length);
              return;
            }
            if (e.key === 'Enter' || e.key === 'Tab') {
              e.preventDefault();
              choose(pick);
              return;
            }
            if (e.key === 'Escape') {
              e.preventDefault();
              setSlash(null);
              return;
            }
          }
          if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
            e.preventDefault();
            send();
          }
        }}
        onBlur={() => setTimeout(() => setSlash(null), 150)}
      />
      {matches.length > 0 && (
        <ul id="canned-list" role="listbox" aria-label="Canned responses" class="canned">
          {matches.map((r, i) => (
            <li
              key={r.id}
              id={`canned-${i}`}
              role="option"
              aria-selected={i === pick}
              onMouseDown={(e) => {
                e.preventDefault();
                choose(i);
              }}
            >
              <strong>/{r.shortCode}</strong> <span>{r.content}</span>
            </li>
          ))}
        </ul>
      )}
      {files.length > 0 && (
        <ul class="chips" role="list" aria-label="Attached files">
          {files.map((f) => (
            <li key={f.id}>
              {f.name}{' '}
              <button type="button" aria-label={`Remove ${f.name}`} onClick={() => setFiles((all) => all.filter((x) => x.id !== f.id))}>
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <div class="composer-bar">
        <label class="attach">
          Attach files
          <input
            type="file"
            multiple
            onChange={(e) => {
              void attach(e.currentTarget.files);
              e.currentTarget.value = '';
            }}
          />
        </label>
        {uploading > 0 && <span class="muted">Uploading…</span>}
        <button type="submit" class="primary" disabled={uploading > 0 || blocked !== null}>
          {note ? 'Add note' : 'Send'}
        </button>
      </div>
    </form>
  );
}
