/** Commands the inbox binds to single keys (outside text fields). */
export type ShortcutCommand = 'next' | 'previous' | 'reply' | 'note' | 'resolve' | 'assignMe' | 'search' | 'help' | 'close';

/** The keyboard map, in the order the help dialog lists it. */
export const SHORTCUTS: readonly { keys: readonly string[]; command: ShortcutCommand; label: string }[] = [
  { keys: ['j', 'ArrowDown'], command: 'next', label: 'Next conversation' },
  { keys: ['k', 'ArrowUp'], command: 'previous', label: 'Previous conversation' },
  { keys: ['r'], command: 'reply', label: 'Reply' },
  { keys: ['n'], command: 'note', label: 'Private note' },
  { keys: ['e'], command: 'resolve', label: 'Resolve' },
  { keys: ['a'], command: 'assignMe', label: 'Assign to me' },
  { keys: ['/'], command: 'search', label: 'Search' },
  { keys: ['?'], command: 'help', label: 'Show shortcuts' },
  { keys: ['Escape'], command: 'close', label: 'Close dialog' },
];

/** The part of a KeyboardEvent the map looks at (so this stays free of DOM types). */
export interface KeyPress {
  key: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
  /** True when focus is in a text field, select or contenteditable. */
  inField: boolean;
}

/** The command for a key press, or null. Inside fields only Escape counts; modifiers never do. */
export function commandFor(e: KeyPress): ShortcutCommand | null {
  if (e.ctrlKey || e.metaKey || e.altKey) return null;
  if (e.inField && e.key !== 'Escape') return null;
  for (const s of SHORTCUTS) if (s.keys.includes(e.key)) return s.command;
  return null;
}

/** Index of the next/previous item in a list of `length` from `current` (-1 = none selected). */
export function step(current: number, length: number, command: 'next' | 'previous'): number {
  if (length === 0) return -1;
  if (current < 0) return command === 'next' ? 0 : length - 1;
  return command === 'next' ? Math.min(length - 1, current + 1) : Math.max(0, current - 1);
}
