import { describe, expect, it } from 'vitest';
import { backoffMs } from '../../../inbox/src/api/backoff.js';
import { commandFor, SHORTCUTS, step } from '../../../inbox/src/state/shortcuts.js';

describe('keyboard shortcuts', () => {
  it('maps keys to commands outside text fields', () => {
    expect(commandFor({ key: 'j', inField: false })).toBe('next');
    expect(commandFor({ key: 'ArrowDown', inField: false })).toBe('next');
    expect(commandFor({ key: 'k', inField: false })).toBe('previous');
    expect(commandFor({ key: 'r', inField: false })).toBe('reply');
    expect(commandFor({ key: 'n', inField: false })).toBe('note');
    expect(commandFor({ key: 'e', inField: false })).toBe('resolve');
    expect(commandFor({ key: 'a', inField: false })).toBe('assignMe');
    expect(commandFor({ key: '/', inField: false })).toBe('search');
    expect(commandFor({ key: '?', inField: false })).toBe('help');
    expect(commandFor({ key: 'x', inField: false })).toBeNull();
  });
  it('leaves typing alone: only Escape counts in fields, and never with modifiers', () => {
    expect(commandFor({ key: 'j', inField: true })).toBeNull();
    expect(commandFor({ key: 'Escape', inField: true })).toBe('close');
    expect(commandFor({ key: 'r', ctrlKey: true, inField: false })).toBeNull();
    expect(commandFor({ key: 'a', metaKey: true, inField: false })).toBeNull();
  });
  it('binds every key once', () => {
    const keys = SHORTCUTS.flatMap((s) => s.keys);
    expect(new Set(keys).size).toBe(keys.length);
  });
  it('steps through a list and stops at the ends', () => {
    expect(step(-1, 3, 'next')).toBe(0);
    expect(step(-1, 3, 'previous')).toBe(2);
    expect(step(0, 3, 'next')).toBe(1);
    expect(step(2, 3, 'next')).toBe(2);
    expect(step(0, 3, 'previous')).toBe(0);
    expect(step(0, 0, 'next')).toBe(-1);
  });
  it('backs off exponentially with jitter, capped', () => {
    expect(backoffMs(0, 500, 15_000, () => 0)).toBe(250);
    expect(backoffMs(0, 500, 15_000, () => 1)).toBe(500);
    expect(backoffMs(3, 500, 15_000, () => 1)).toBe(4000);
    expect(backoffMs(20, 500, 15_000, () => 1)).toBe(15_000);
    expect(backoffMs(20, 500, 15_000, () => 0)).toBe(7500);
  });
});
