import { describe, expect, it } from 'vitest';
import { movePatches, ruleEditForm, rulePatch } from '../../../inbox/src/state/rules.js';
import type { RoutingRule } from '../../../inbox/src/types.js';

const rule = (id: string, over: Partial<RoutingRule> = {}): RoutingRule => ({
  id,
  intent: 'refund',
  minConfidence: null,
  teamId: 't1',
  assigneeId: null,
  priority: null,
  position: 0,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  ...over,
});

describe('inline rule editing', () => {
  it('fills the form from the rule, confidence as a percent', () => {
    expect(ruleEditForm(rule('r', { minConfidence: 0.825, priority: 'high' }))).toEqual({ teamId: 't1', assigneeId: '', priority: 'high', minConfidence: '82.5' });
    expect(ruleEditForm(rule('r')).minConfidence).toBe('');
  });

  it('sends only what changed, and null for a cleared field', () => {
    const r = rule('r', { minConfidence: 0.8, priority: 'low' });
    expect(rulePatch(r, ruleEditForm(r))).toEqual({ patch: {} });
    expect(rulePatch(r, { ...ruleEditForm(r), priority: 'urgent' })).toEqual({ patch: { priority: 'urgent' } });
    expect(rulePatch(r, { ...ruleEditForm(r), teamId: '', minConfidence: '' })).toEqual({ patch: { teamId: null, minConfidence: null } });
    expect(rulePatch(r, { ...ruleEditForm(r), teamId: 't2', minConfidence: '65%' })).toEqual({ patch: { teamId: 't2', minConfidence: 0.65 } });
  });

  it('does not rewrite a stored confidence the form only shows rounded', () => {
    const r = rule('r', { minConfidence: 0.82345 });
    expect(rulePatch(r, { ...ruleEditForm(r), priority: 'high' })).toEqual({ patch: { priority: 'high' } });
  });

  it('says what is wrong before the server is asked', () => {
    const r = rule('r');
    expect(rulePatch(r, { ...ruleEditForm(r), teamId: '' })).toEqual({ error: 'A rule needs a team, an assignee or a priority.' });
    expect(rulePatch(r, { ...ruleEditForm(r), minConfidence: '120' })).toEqual({ error: 'Minimum confidence is a percentage from 0 to 100.' });
    expect(rulePatch(r, { ...ruleEditForm(r), minConfidence: 'abc' })).toHaveProperty('error');
  });
});

describe('moving rules', () => {
  const rules = [rule('a', { position: 0 }), rule('b', { position: 3 }), rule('c', { position: 7 })];

  it('swaps the positions of two neighbours when all positions differ', () => {
    expect(movePatches(rules, 1, -1)).toEqual([
      { id: 'b', position: 0 },
      { id: 'a', position: 3 },
    ]);
    expect(movePatches(rules, 1, 1)).toEqual([
      { id: 'b', position: 7 },
      { id: 'c', position: 3 },
    ]);
  });

  it('cannot move the first rule up or the last one down', () => {
    expect(movePatches(rules, 0, -1)).toEqual([]);
    expect(movePatches(rules, 2, 1)).toEqual([]);
    expect(movePatches([], 0, 1)).toEqual([]);
  });

  it('renumbers 0..n-1 in the new order when positions are shared, patching only what changes', () => {
    const tied = [rule('a', { position: 0 }), rule('b', { position: 1 }), rule('c', { position: 1 }), rule('d', { position: 3 })];
    // c before b: a 0, c 1, b 2, d 3.
    expect(movePatches(tied, 2, -1)).toEqual([{ id: 'b', position: 2 }]);
    // b after c gives the same order.
    expect(movePatches(tied, 1, 1)).toEqual([{ id: 'b', position: 2 }]);
    // a after b: b 0, a 1, c 2, d 3.
    expect(movePatches(tied, 0, 1)).toEqual([
      { id: 'b', position: 0 },
      { id: 'a', position: 1 },
      { id: 'c', position: 2 },
    ]);
  });
});
