import { useEffect, useState } from 'preact/hooks';
import { api } from '../../api/endpoints.js';
import { describeError } from '../../api/http.js';
import { useInbox } from '../../context.js';
import { agreementLabel, EMPTY_RULE_FORM, parsePercent, percent, ruleBody, type RuleForm } from '../../state/intent.js';
import type { IntentModel, RoutingRule, RoutingSettings } from '../../types.js';
import { RoutingRules, RuleActionFields } from './RoutingRules.js';

/**
 * Intent routing: the rules (intent → team / assignee / priority above a confidence; edited and
 * reordered in `RoutingRules`), the triage threshold and team, and the tenant's intent model
 * versions (read-only; uploads are a CLI/curl job). The server enforces that only admins write.
 */
export function RoutingAdmin() {
  const [, ctl] = useInbox();
  const [rules, setRules] = useState<RoutingRule[]>([]);
  const [settings, setSettings] = useState<RoutingSettings | null>(null);
  const [models, setModels] = useState<IntentModel[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = async () => {
    const [r, st, m] = await Promise.allSettled([api.intentRules(), api.intentSettings(), api.intentModels()]);
    if (r.status === 'fulfilled') setRules(r.value.items);
    if (st.status === 'fulfilled') setSettings(st.value);
    if (m.status === 'fulfilled') setModels(m.value.items);
    const failed = [r, st, m].find((x) => x.status === 'rejected');
    setError(failed ? describeError(failed.reason) : null);
  };
  const loadRules = async () => setRules((await api.intentRules()).items);
  useEffect(() => {
    void load();
    void ctl.loadDirectory();
  }, []);

  const threshold = settings ? percent(settings.triageThreshold) : '…';
  return (
    <section aria-labelledby="routing-title">
      <h2 id="routing-title">Routing</h2>
      <p class="muted">
        A new conversation nobody has routed yet follows the first rule whose intent matches at or above its minimum confidence. Below the triage threshold ({threshold}) it waits in
        Triage for an agent.
      </p>
      <RoutingRules rules={rules} threshold={threshold} onChanged={loadRules} />
      <NewRule
        onCreate={async (form) => {
          const built = ruleBody(form);
          if ('error' in built) return built.error;
          try {
            await api.createIntentRule(built.body);
            await load();
            return null;
          } catch (err) {
            return describeError(err);
          }
        }}
      />
      <h3>Triage</h3>
      {settings && (
        <TriageSettings
          initial={settings}
          onSave={async (next) => {
            const saved = await api.putIntentSettings(next);
            setSettings(saved);
          }}
        />
      )}
      <h3>Intent models</h3>
      <ModelsTable models={models} />
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
    </section>
  );
}

/** The add-a-rule form; `onCreate` resolves to an error message or null. */
function NewRule({ onCreate }: { onCreate: (f: RuleForm) => Promise<string | null> }) {
  const [s] = useInbox();
  const [form, setForm] = useState<RuleForm>(EMPTY_RULE_FORM);
  const [error, setError] = useState<string | null>(null);
  const field = (k: keyof RuleForm) => (e: Event) => setForm({ ...form, [k]: (e.currentTarget as HTMLInputElement).value });
  return (
    <form
      class="form-row"
      aria-label="New routing rule"
      onSubmit={async (e) => {
        e.preventDefault();
        const failure = await onCreate(form);
        setError(failure);
        if (!failure) setForm(EMPTY_RULE_FORM);
      }}
    >
      <h3>New rule</h3>
      <label>
        Intent
        <select aria-label="Intent" value={form.intent} onChange={field('intent')} required>
          <option value="">Choose an intent…</option>
          {s.intentLabels.map((l) => (
            <option key={l} value={l}>
              {l}
            </option>
          ))}
        </select>
      </label>
      <RuleActionFields value={form} onChange={(p) => setForm({ ...form, ...p })} />
      <label>
        Minimum confidence (%, optional)
        <input inputMode="decimal" size={10} placeholder="threshold" value={form.minConfidence} onInput={field('minConfidence')} />
      </label>
      <button type="submit">Add rule</button>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
    </form>
  );
}

function TriageSettings({ initial, onSave }: { initial: RoutingSettings; onSave: (s: RoutingSettings) => Promise<void> }) {
  const [s] = useInbox();
  const [threshold, setThreshold] = useState(String(Math.round(initial.triageThreshold * 1000) / 10));
  const [teamId, setTeamId] = useState(initial.triageTeamId ?? '');
  const [note, setNote] = useState<{ error: boolean; text: string } | null>(null);
  return (
    <form
      class="form-row"
      aria-label="Triage settings"
      onSubmit={async (e) => {
        e.preventDefault();
        const value = parsePercent(threshold);
        if (value === undefined || value === null) return setNote({ error: true, text: 'The triage threshold is a percentage from 0 to 100.' });
        try {
          await onSave({ triageThreshold: value, triageTeamId: teamId || null });
          setNote({ error: false, text: 'Saved.' });
        } catch (err) {
          setNote({ error: true, text: describeError(err) });
        }
      }}
    >
      <label>
        Triage threshold (%)
        <input type="number" class="narrow" min={0} max={100} step="any" value={threshold} onInput={(e) => setThreshold(e.currentTarget.value)} required />
      </label>
      <label>
        Triage team
        <select aria-label="Triage team" value={teamId} onChange={(e) => setTeamId(e.currentTarget.value)}>
          <option value="">None (stays unassigned)</option>
          {s.teams.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </select>
      </label>
      <button type="submit">Save triage settings</button>
      {note && (
        <p role={note.error ? 'alert' : 'status'} class={note.error ? 'error' : 'muted'}>
          {note.text}
        </p>
      )}
    </form>
  );
}

function ModelsTable({ models }: { models: IntentModel[] | null }) {
  if (!models) return <p class="muted">Loading…</p>;
  return (
    <table aria-label="Intent models">
      <thead>
        <tr>
          <th>Model</th>
          <th>Kind</th>
          <th>Labels</th>
          <th>Mode</th>
          <th>Predictions</th>
          <th>Agreement with agents</th>
        </tr>
      </thead>
      <tbody>
        {models.map((m) => (
          <tr key={m.id} data-model-id={m.id}>
            <td>
              {m.name}
              {m.builtIn && <span class="muted"> (built in)</span>}
            </td>
            <td>{m.kind ?? '—'}</td>
            <td>{m.labels.length}</td>
            <td>
              <span class={`mode mode-${m.mode}`}>{m.mode}</span>
              {m.mode === 'candidate' && ` (${percent(m.split)})`}
            </td>
            <td>{m.stats?.predictions ?? 0}</td>
            <td>{agreementLabel(m.stats)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
