import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../../api/endpoints.js';
import { describeError } from '../../api/http.js';
import { useInbox } from '../../context.js';
import { percent, ruleAction } from '../../state/intent.js';
import { movePatches, RULE_PRIORITIES, ruleEditForm, rulePatch, type RuleEditForm } from '../../state/rules.js';
import type { RoutingRule } from '../../types.js';

type Actions = Pick<RuleEditForm, 'teamId' | 'assigneeId' | 'priority'>;

/** The Team / Assignee / Priority selects of a rule (new-rule form and inline edit). */
export function RuleActionFields({ value, onChange }: { value: Actions; onChange: (patch: Partial<Actions>) => void }) {
  const [s] = useInbox();
  const priorities = value.priority && !RULE_PRIORITIES.includes(value.priority) ? [...RULE_PRIORITIES, value.priority] : RULE_PRIORITIES;
  return (
    <>
      <label>
        Team
        <select aria-label="Team" value={value.teamId} onChange={(e) => onChange({ teamId: e.currentTarget.value })}>
          <option value="">No team</option>
          {s.teams.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        Assignee
        <select aria-label="Assignee" value={value.assigneeId} onChange={(e) => onChange({ assigneeId: e.currentTarget.value })}>
          <option value="">Nobody</option>
          {s.agents.map((a) => (
            <option key={a.id} value={a.id}>
              {a.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        Priority
        <select aria-label="Priority" value={value.priority} onChange={(e) => onChange({ priority: e.currentTarget.value as Actions['priority'] })}>
          <option value="">Unchanged</option>
          {priorities.map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </select>
      </label>
    </>
  );
}

/**
 * The rules table, in the order rules are tried: per rule, Move up / Move down (PATCH
 * `position`), Edit (team, assignee, priority and minimum confidence inline, PATCH on Save) and
 * Delete. `onChanged` reloads the rules from the server after every change.
 */
export function RoutingRules({ rules, threshold, onChanged }: { rules: RoutingRule[]; threshold: string; onChanged: () => Promise<void> }) {
  const [s] = useInbox();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const table = useRef<HTMLTableElement>(null);
  const name = (kind: 'team' | 'agent', id: string) => (kind === 'team' ? s.teams : s.agents).find((x) => x.id === id)?.name ?? id;

  const run = async (work: () => Promise<unknown>) => {
    setBusy(true);
    try {
      await work();
      setError(null);
    } catch (err) {
      setError(describeError(err));
    } finally {
      await onChanged().catch(() => undefined);
      setBusy(false);
    }
  };
  const move = async (r: RoutingRule, index: number, dir: -1 | 1) => {
    await run(async () => {
      for (const p of movePatches(rules, index, dir)) await api.patchIntentRule(p.id, { position: p.position });
    });
    // Keep the keyboard where it was: on the moved rule's button (the other one at an end).
    requestAnimationFrame(() => {
      const [up, down] = Array.from(table.current?.querySelectorAll<HTMLButtonElement>(`tr[data-rule-id="${r.id}"] .rule-move button`) ?? []);
      const want = dir < 0 ? up : down;
      (want && !want.disabled ? want : dir < 0 ? down : up)?.focus();
    });
  };

  return (
    <>
      <table aria-label="Routing rules" ref={table}>
        <thead>
          <tr>
            <th>Intent</th>
            <th>Min confidence</th>
            <th>Routes to</th>
            <th>
              <span class="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rules.map((r, i) => (
            <RuleRow
              key={r.id}
              rule={r}
              first={i === 0}
              last={i === rules.length - 1}
              busy={busy}
              minLabel={r.minConfidence === null ? `threshold (${threshold})` : percent(r.minConfidence)}
              action={ruleAction(r, name)}
              onMove={(dir) => void move(r, i, dir)}
              onDelete={() => void run(() => api.deleteIntentRule(r.id))}
              onSave={async (form) => {
                const built = rulePatch(r, form);
                if ('error' in built) return built.error;
                if (Object.keys(built.patch).length === 0) return null;
                try {
                  await api.patchIntentRule(r.id, built.patch);
                } catch (err) {
                  return describeError(err);
                }
                await onChanged().catch(() => undefined);
                return null;
              }}
            />
          ))}
        </tbody>
      </table>
      {rules.length === 0 && <p class="muted">No rules yet: intents are only shown to agents.</p>}
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
    </>
  );
}

interface RuleRowProps {
  rule: RoutingRule;
  first: boolean;
  last: boolean;
  busy: boolean;
  minLabel: string;
  action: string;
  onMove: (dir: -1 | 1) => void;
  onDelete: () => void;
  /** Resolves to an error message for the form, or null once saved. */
  onSave: (form: RuleEditForm) => Promise<string | null>;
}

/** One rule: a plain row, or (after Edit) a row holding the inline edit form. */
function RuleRow({ rule: r, first, last, busy, minLabel, action, onMove, onDelete, onSave }: RuleRowProps) {
  const [form, setForm] = useState<RuleEditForm | null>(null);
  const [error, setError] = useState<string | null>(null);
  const editButton = useRef<HTMLButtonElement>(null);
  const formEl = useRef<HTMLFormElement>(null);
  const editing = form !== null;
  useEffect(() => {
    if (editing) formEl.current?.querySelector('select')?.focus();
  }, [editing]);
  const close = () => {
    setForm(null);
    setError(null);
    requestAnimationFrame(() => editButton.current?.focus());
  };

  if (form) {
    const edit = (p: Partial<RuleEditForm>) => {
      setForm({ ...form, ...p });
      setError(null);
    };
    return (
      <tr data-rule-id={r.id}>
        <td colSpan={4}>
          <form
            class="form-row"
            ref={formEl}
            aria-label={`Edit rule ${r.intent}`}
            onKeyDown={(e) => {
              if (e.key === 'Escape') close();
            }}
            onSubmit={async (e) => {
              e.preventDefault();
              const failure = await onSave(form);
              if (failure) setError(failure);
              else close();
            }}
          >
            <strong>{r.intent}</strong>
            <RuleActionFields value={form} onChange={edit} />
            <label>
              Minimum confidence (%)
              <input inputMode="decimal" size={8} placeholder="threshold" value={form.minConfidence} onInput={(e) => edit({ minConfidence: e.currentTarget.value })} />
            </label>
            <button type="submit" class="primary">
              Save rule
            </button>
            <button type="button" onClick={close}>
              Cancel
            </button>
            {error && (
              <p role="alert" class="error">
                {error}
              </p>
            )}
          </form>
        </td>
      </tr>
    );
  }
  return (
    <tr data-rule-id={r.id}>
      <td>{r.intent}</td>
      <td>{minLabel}</td>
      <td>{action}</td>
      <td>
        <span class="rule-move">
          <button type="button" aria-label={`Move rule ${r.intent} up`} title="Try this rule earlier" disabled={busy || first} onClick={() => onMove(-1)}>
            ↑
          </button>
          <button type="button" aria-label={`Move rule ${r.intent} down`} title="Try this rule later" disabled={busy || last} onClick={() => onMove(1)}>
            ↓
          </button>
        </span>
        <button type="button" ref={editButton} aria-label={`Edit rule ${r.intent}`} onClick={() => setForm(ruleEditForm(r))}>
          Edit
        </button>{' '}
        <button type="button" aria-label={`Delete rule ${r.intent}`} disabled={busy} onClick={onDelete}>
          Delete
        </button>
      </td>
    </tr>
  );
}
