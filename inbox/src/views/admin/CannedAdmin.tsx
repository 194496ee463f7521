import { useState } from 'preact/hooks';
import { api } from '../../api/endpoints.js';
import { describeError } from '../../api/http.js';
import { useInbox } from '../../context.js';
import type { CannedResponse } from '../../types.js';

/** Canned responses: list, add, edit, delete. Agents insert them with `/` in the composer. */
export function CannedAdmin() {
  const [s, ctl] = useInbox();
  const [shortCode, setShortCode] = useState('');
  const [content, setContent] = useState('');
  const [error, setError] = useState<string | null>(null);
  const run = async (fn: () => Promise<unknown>) => {
    setError(null);
    try {
      await fn();
      await ctl.loadDirectory();
      return true;
    } catch (err) {
      setError(describeError(err));
      return false;
    }
  };
  return (
    <section aria-labelledby="canned-title">
      <h2 id="canned-title">Canned responses</h2>
      <ul role="list" class="cards">
        {s.canned.map((r) => (
          <CannedRow key={r.id} r={r} run={run} />
        ))}
      </ul>
      <form
        class="stack"
        aria-label="New canned response"
        onSubmit={async (e) => {
          e.preventDefault();
          if (await run(() => api.createCanned({ shortCode: shortCode.trim(), content }))) {
            setShortCode('');
            setContent('');
          }
        }}
      >
        <label>
          Short code
          <input value={shortCode} onInput={(e) => setShortCode(e.currentTarget.value)} required pattern="[\p{L}\p{N}_\-]+" />
        </label>
        <label>
          Content
          <textarea rows={3} value={content} onInput={(e) => setContent(e.currentTarget.value)} required />
        </label>
        <button type="submit">Add canned response</button>
      </form>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
    </section>
  );
}

function CannedRow({ r, run }: { r: CannedResponse; run: (fn: () => Promise<unknown>) => Promise<boolean> }) {
  const [editing, setEditing] = useState(false);
  const [content, setContent] = useState(r.content);
  return (
    <li class="card" aria-label={`/${r.shortCode}`}>
      <strong>/{r.shortCode}</strong>
      {editing ? (
        <form
          class="stack"
          onSubmit={async (e) => {
            e.preventDefault();
            if (await run(() => api.patchCanned(r.id, { content }))) setEditing(false);
          }}
        >
          <label>
            Content of /{r.shortCode}
            <textarea rows={3} value={content} onInput={(e) => setContent(e.currentTarget.value)} />
          </label>
          <button type="submit">Save</button>
        </form>
      ) : (
        <p>{r.content}</p>
      )}
      <button type="button" onClick={() => setEditing(!editing)}>
        {editing ? 'Cancel' : `Edit /${r.shortCode}`}
      </button>
      <button type="button" onClick={() => void run(() => api.deleteCanned(r.id))}>
        Delete /{r.shortCode}
      </button>
    </li>
  );
}
