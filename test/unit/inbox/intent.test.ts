import { describe, expect, it } from 'vitest';
import { agreementLabel, EMPTY_RULE_FORM, intentChipLabel, intentFilterOptions, intentOptions, parsePercent, ruleAction, ruleBody } from '../../../inbox/src/state/intent.js';
import type { RoutingRule } from '../../../inbox/src/types.js';

describe('intent chip label', () => {
  it('shows the model confidence as a whole percent', () => {
    expect(intentChipLabel('order_status', 0.9161)).toBe('order_status · 92%');
    expect(intentChipLabel('refund', 0.5)).toBe('refund · 50%');
  });

  it('says "set by agent" for an agent\'s label (confidence 1)', () => {
    expect(intentChipLabel('order_status', 1)).toBe('order_status · set by agent');
  });

  it('shows the bare intent without a confidence, and "No intent" without an intent', () => {
    expect(intentChipLabel('greeting', null)).toBe('greeting');
    expect(intentChipLabel(null, null)).toBe('No intent');
    expect(intentChipLabel(null, 0.3)).toBe('No intent');
  });
});

describe('intent picker options', () => {
  it('sorts the labels and keeps the current intent even when no model knows it', () => {
    expect(intentOptions(['refund', 'greeting'], 'legacy_label')).toEqual(['greeting', 'legacy_label', 'refund']);
  });

  it('lists each label once', () => {
    expect(intentOptions(['refund', 'greeting'], 'refund')).toEqual(['greeting', 'refund']);
    expect(intentOptions([], null)).toEqual([]);
  });
});

describe('intent filter options', () => {
  it('offers every model label, not only the intents seen on loaded conversations', () => {
    expect(intentFilterOptions(['refund', 'order_status', 'greeting'], [], '')).toEqual(['greeting', 'order_status', 'refund']);
  });

  it('keeps seen intents a model no longer knows and the selected one, each once', () => {
    expect(intentFilterOptions(['refund'], ['old_label', 'refund'], 'picked')).toEqual(['old_label', 'picked', 'refund']);
    expect(intentFilterOptions([], [], '')).toEqual([]);
  });
});

describe('percent fields', () => {
  it('reads percentages as 0..1 fractions, with or without the % sign', () => {
    expect(parsePercent('85')).toBe(0.85);
    expect(parsePercent(' 72.5 % ')).toBe(0.725);
    expect(parsePercent('0')).toBe(0);
    expect(parsePercent('100')).toBe(1);
  });

  it('treats an empty field as "not set" and refuses anything outside 0..100', () => {
    expect(parsePercent('')).toBeNull();
    expect(parsePercent('  ')).toBeNull();
    for (const bad of ['-1', '101', 'abc', '0.5.1', 'Infinity']) expect(parsePercent(bad)).toBeUndefined();
  });
});

describe('new rule form', () => {
  it('builds the POST body with only the fields that are set', () => {
    expect(ruleBody({ ...EMPTY_RULE_FORM, intent: 'order_status', teamId: 't1', priority: 'high' })).toEqual({
      body: { intent: 'order_status', teamId: 't1', priority: 'high' },
    });
    expect(ruleBody({ intent: 'refund', teamId: '', assigneeId: 'a1', priority: '', minConfidence: '80' })).toEqual({
      body: { intent: 'refund', assigneeId: 'a1', minConfidence: 0.8 },
    });
  });

  it('needs an intent and at least one action, as the server does', () => {
    expect(ruleBody({ ...EMPTY_RULE_FORM, teamId: 't1' })).toEqual({ error: 'Choose an intent.' });
    expect(ruleBody({ ...EMPTY_RULE_FORM, intent: 'refund', minConfidence: '80' })).toEqual({ error: 'A rule needs a team, an assignee or a priority.' });
  });

  it('refuses a minimum confidence that is not a percentage', () => {
    expect(ruleBody({ ...EMPTY_RULE_FORM, intent: 'refund', priority: 'low', minConfidence: '150' })).toEqual({ error: 'Minimum confidence is a percentage from 0 to 100.' });
  });
});

describe('rule and model descriptions', () => {
  const rule = (over: Partial<RoutingRule>): RoutingRule => ({ id: 'r1', intent: 'refund', minConfidence: null, teamId: null, assigneeId: null, priority: null, position: 0, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z', ...over });
  const names = (kind: 'team' | 'agent', id: string) => `${kind}:${id}`;

  it('names what a rule does', () => {
    expect(ruleAction(rule({ teamId: 't1', priority: 'high' }), names)).toBe('team team:t1 · priority high');
    expect(ruleAction(rule({ assigneeId: 'a1' }), names)).toBe('assign agent:a1');
  });

  it('shows agreement with agents only once there is feedback', () => {
    expect(agreementLabel({ predictions: 10, feedback: 6, agreed: 5, agreement: 5 / 6 })).toBe('83% (5 of 6)');
    expect(agreementLabel({ predictions: 10, feedback: 0, agreed: 0, agreement: null })).toBe('—');
    expect(agreementLabel(undefined)).toBe('—');
  });
});
