import { useState } from 'preact/hooks';
import { api } from '../../api/endpoints.js';
import { describeError } from '../../api/http.js';
import { useInbox } from '../../context.js';
import type { Inbox } from '../../types.js';

const lines = (s: string) => s.split(/[\n,]/).map((x) => x.trim()).filter(Boolean);

/** The widget settings form, for creating and editing a web inbox. */
function WebSettings({ initial, onSubmit, submitLabel }: { initial: Record<string, unknown>; onSubmit: (settings: Record<string, unknown>) => Promise<void>; submitLabel: string }) {
  const [origins, setOrigins] = useState(((initial['allowedOrigins'] as string[] | undefined) ?? []).join('\n'));
  const [greeting, setGreeting] = useState(String(initial['greeting'] ?? ''));
  const [color, setColor] = useState(String(initial['color'] ?? '#2f6feb'));
  const [position, setPosition] = useState(String(initial['position'] ?? 'right'));
  const [busy, setBusy] = useState(false);
  return (
    <form
      class="stack"
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        try {
          await onSubmit({ allowedOrigins: lines(origins), greeting, color, position });
        } finally {
          setBusy(false);
        }
      }}
    >
      <label>
        Allowed origins (one per line)
        <textarea rows={2} value={origins} onInput={(e) => setOrigins(e.currentTarget.value)} placeholder="https://shop.example" />
      </label>
      <label>
        Greeting
        <input value={greeting} onInput={(e) => setGreeting(e.currentTarget.value)} />
      </label>
      <label>
        Color
        <input type="color" value={color} onInput={(e) => setColor(e.currentTarget.value)} />
      </label>
      <label>
        Position
        <select value={position} onChange={(e) => setPosition(e.currentTarget.value)}>
          <option value="right">Right</option>
          <option value="left">Left</option>
        </select>
      </label>
      <button type="submit" disabled={busy}>
        {submitLabel}
      </button>
    </form>
  );
}

/** Bot token (from @BotFather; checked by the server with getMe) and an optional self-hosted Bot API root. */
function TelegramSettings({ onSubmit }: { onSubmit: (settings: Record<string, unknown>) => Promise<void> }) {
  const [botToken, setBotToken] = useState('');
  const [apiRoot, setApiRoot] = useState('');
  const [busy, setBusy] = useState(false);
  return (
    <form
      class="stack"
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        try {
          await onSubmit({ botToken: botToken.trim(), ...(apiRoot.trim() ? { apiRoot: apiRoot.trim() } : {}) });
          setBotToken('');
        } finally {
          setBusy(false);
        }
      }}
    >
      <label>
        Bot token
        <input type="password" autocomplete="off" value={botToken} onInput={(e) => setBotToken(e.currentTarget.value)} required />
      </label>
      <label>
        Bot API server (optional, for a self-hosted one)
        <input type="url" placeholder="https://api.telegram.org" value={apiRoot} onInput={(e) => setApiRoot(e.currentTarget.value)} />
      </label>
      <button type="submit" disabled={busy}>
        Create inbox
      </button>
    </form>
  );
}

/** Inboxes: create (web or webhook channels), widget snippet / webhook URL, widget settings. */
export function InboxesAdmin() {
  const [s, ctl] = useInbox();
  const [name, setName] = useState('');
  const [channel, setChannel] = useState('web');
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<Inbox | null>(null);
  const create = async (settings: Record<string, unknown>) => {
    setError(null);
    try {
      const inbox = await api.createInbox({ name: name.trim(), channel, settings: channel === 'web' || channel === 'telegram' ? settings : {} });
      setCreated(inbox);
      setName('');
      await ctl.loadDirectory();
    } catch (err) {
      setError(describeError(err));
    }
  };
  return (
    <section aria-labelledby="inboxes-title">
      <h2 id="inboxes-title">Inboxes</h2>
      <ul role="list" class="cards">
        {s.inboxes.map((i) => (
          <InboxCard key={i.id} inbox={i} highlight={created?.id === i.id} />
        ))}
      </ul>
      <h3>New inbox</h3>
      <div class="stack">
        <label>
          Inbox name
          <input value={name} onInput={(e) => setName(e.currentTarget.value)} required />
        </label>
        <label>
          Channel
          <select value={channel} onChange={(e) => setChannel(e.currentTarget.value)}>
            <option value="web">Website widget</option>
            <option value="telegram">Telegram</option>
            <option value="slack">Slack</option>
            <option value="email">Email</option>
          </select>
        </label>
      </div>
      {channel === 'web' ? (
        <WebSettings initial={{}} onSubmit={create} submitLabel="Create inbox" />
      ) : channel === 'telegram' ? (
        <TelegramSettings onSubmit={create} />
      ) : (
        <button type="button" onClick={() => void create({})}>
          Create inbox
        </button>
      )}
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
    </section>
  );
}

function InboxCard({ inbox: i, highlight }: { inbox: Inbox; highlight: boolean }) {
  const [, ctl] = useInbox();
  const [editing, setEditing] = useState(false);
  const snippet = i.websiteToken ? `<script src="${location.origin}/widget.js" data-inbox="${i.websiteToken}" defer></script>` : null;
  return (
    <li class={`card ${highlight ? 'highlight' : ''}`} aria-label={`Inbox ${i.name}`}>
      <h4>
        {i.name} <span class={`badge ch-${i.channel}`}>{i.channel}</span>
      </h4>
      {snippet && (
        <label>
          Widget snippet
          <input readOnly value={snippet} onFocus={(e) => e.currentTarget.select()} />
        </label>
      )}
      {i.webhookUrl && (
        <label>
          Webhook URL
          <input readOnly value={i.webhookUrl} onFocus={(e) => e.currentTarget.select()} />
        </label>
      )}
      {i.channel === 'web' && (
        <button type="button" aria-expanded={editing} onClick={() => setEditing(!editing)}>
          {editing ? 'Close settings' : 'Edit widget settings'}
        </button>
      )}
      {editing && (
        <WebSettings
          initial={i.settings}
          submitLabel="Save settings"
          onSubmit={async (settings) => {
            try {
              await api.patchInbox(i.id, { settings: { ...i.settings, ...settings } });
              await ctl.loadDirectory();
              setEditing(false);
            } catch (err) {
              ctl.toast(describeError(err));
            }
          }}
        />
      )}
    </li>
  );
}
