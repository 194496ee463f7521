import { useEffect, useRef } from 'preact/hooks';
import { SHORTCUTS } from '../state/shortcuts.js';

const keyName = (k: string) => ({ ArrowDown: '↓', ArrowUp: '↑', Escape: 'Esc' })[k] ?? k;

/** The `?` dialog listing the keyboard map. */
export function ShortcutHelp({ onClose }: { onClose: () => void }) {
  const close = useRef<HTMLButtonElement>(null);
  useEffect(() => close.current?.focus(), []);
  return (
    <div class="overlay" onClick={onClose}>
      <div role="dialog" aria-modal="true" aria-labelledby="help-title" class="dialog" onClick={(e) => e.stopPropagation()}>
        <h2 id="help-title">Keyboard shortcuts</h2>
        <dl class="keys">
          {SHORTCUTS.map((s) => (
            <div key={s.command}>
              <dt>
                {s.keys.map((k) => (
                  <kbd key={k}>{keyName(k)}</kbd>
                ))}
              </dt>
              <dd>{s.label}</dd>
            </div>
          ))}
        </dl>
        <button type="button" ref={close} onClick={onClose}>
          Close
        </button>
      </div>
    </div>
  );
}
