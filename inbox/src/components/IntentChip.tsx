import { useEffect, useRef, useState } from 'preact/hooks';
import { useInbox } from '../context.js';
import { intentChipLabel, intentOptions } from '../state/intent.js';
import type { InboxConversation } from '../types.js';

/**
 * The conversation's intent as a chip ("order_status · 92%"), the "Needs triage" badge, and the
 * picker behind the chip that lets an agent correct the intent. The picker saves on its button,
 * not on every change of the select: each correction is kept as training data, and arrowing
 * through a closed select fires a change per step.
 */
export function IntentChip({ conversation: c }: { conversation: InboxConversation }) {
  const [s, ctl] = useInbox();
  const [open, setOpen] = useState(false);
  const [choice, setChoice] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const chip = useRef<HTMLButtonElement>(null);
  const select = useRef<HTMLSelectElement>(null);
  const options = intentOptions(s.intentLabels, c.intent);
  const label = intentChipLabel(c.intent, c.intentConfidence);

  useEffect(() => {
    setOpen(false);
    setError(null);
  }, [c.id]);
  useEffect(() => {
    if (open) select.current?.focus();
  }, [open]);

  const close = () => {
    setOpen(false);
    setError(null);
    chip.current?.focus();
  };

  return (
    <div class="intent">
      <button
        type="button"
        ref={chip}
        class={c.intent ? 'chip' : 'chip chip-empty'}
        aria-label={`Intent: ${label}`}
        aria-expanded={open}
        aria-controls="intent-picker"
        title="Correct the intent"
        onClick={() => {
          if (open) return close();
          setChoice(c.intent ?? '');
          setOpen(true);
        }}
      >
        {label}
      </button>
      {c.triage && <span class="badge triage">Needs triage</span>}
      {open && (
        <form
          id="intent-picker"
          class="intent-picker"
          aria-label="Correct the intent"
          onKeyDown={(e) => {
            if (e.key === 'Escape') close();
          }}
          onSubmit={async (e) => {
            e.preventDefault();
            if (!choice || busy) return;
            setBusy(true);
            const failure = await ctl.correctIntent(c.id, choice);
            setBusy(false);
            if (failure) setError(failure);
            else close();
          }}
        >
          <label>
            Intent
            <select ref={select} aria-label="Intent" value={choice} onChange={(e) => setChoice(e.currentTarget.value)}>
              {!c.intent && (
                <option value="" disabled>
                  Choose…
                </option>
              )}
              {options.map((o) => (
                <option key={o} value={o}>
                  {o}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" class="primary" disabled={busy || !choice}>
            {busy ? 'Saving…' : 'Save intent'}
          </button>
          <button type="button" onClick={close}>
            Cancel
          </button>
          {options.length === 0 && <p class="muted">The intent models know no labels yet.</p>}
          {error && (
            <p role="alert" class="error">
              {error}
            </p>
          )}
        </form>
      )}
    </div>
  );
}
