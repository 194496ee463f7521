import { describe, expect, it } from 'vitest';
import { decideRouting, effectiveChanges, matchRule } from '../../../server/intent/routing/decide.js';
import type { RoutingRule, RoutingSettings } from '../../../server/intent/routing/rules.js';
import type { ConversationRecord } from '../../../server/conversations/repo.js';

const conv = (over: Partial<ConversationRecord> = {}): ConversationRecord => ({
  tenantId: 't1', id: 'c1', inboxId: 'i1', channel: 'web', contactId: 'v1', status: 'open', assigneeId: null, teamId: null,
  priority: 'none', intent: null, intentConfidence: null, triage: false, routedByRule: null, lastSeq: 1, snoozedUntil: null,
  lastActivityAt: '2026-01-01T00:00:00.000Z', createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z',
  ...over,
});
const rule = (over: Partial<RoutingRule>): RoutingRule => ({
  id: 'r1', intent: 'refund', minConfidence: null, teamId: 'billing', assigneeId: null, priority: null, position: 0,
  createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z', ...over,
});
const settings: RoutingSettings = { triageThreshold: 0.5, triageTeamId: null };

describe('decideRouting', () => {
  it('routes a confident intent by the first matching rule', () => {
    const rules = [rule({ id: 'r1', minConfidence: 0.95 }), rule({ id: 'r2', teamId: 'refunds', priority: 'high' })];
    const out = decideRouting(conv(), { intent: 'refund', confidence: 0.9 }, rules, settings);
    expect(out.rule?.id).toBe('r2');
    expect(out.patch).toEqual({ intent: 'refund', intentConfidence: 0.9, teamId: 'refunds', priority: 'high', routedByRule: 'r2', triage: false });
    expect(out.note).toBe('Routed by intent refund (90%)');
  });

  it('sends an unsure first guess to triage (and the triage team), without claiming an intent', () => {
    const out = decideRouting(conv(), { intent: 'refund', confidence: 0.3 }, [rule({})], { triageThreshold: 0.5, triageTeamId: 'triage' });
    expect(out.patch).toEqual({ triage: true, teamId: 'triage' });
    expect(out.note).toBeNull();
  });

  it('keeps a known intent when a later message is unclear, and takes a conversation out of triage once confident', () => {
    expect(decideRouting(conv({ intent: 'refund' }), { intent: 'greeting', confidence: 0.2 }, [], settings).patch).toEqual({});
    expect(decideRouting(conv({ triage: true }), { intent: 'greeting', confidence: 0.9 }, [], settings).patch).toEqual({ intent: 'greeting', intentConfidence: 0.9, triage: false });
  });

  it('never moves a conversation that has an agent or was routed already', () => {
    for (const c of [conv({ assigneeId: 'a1' }), conv({ routedByRule: 'r0' }), conv({ status: 'resolved' })]) {
      const out = decideRouting(c, { intent: 'refund', confidence: 0.9 }, [rule({})], settings);
      expect(out.patch).toEqual({ intent: 'refund', intentConfidence: 0.9 });
      expect(out.rule).toBeNull();
    }
  });

  it('matches a rule only at or above its own bar, defaulting to the triage threshold', () => {
    expect(matchRule({ intent: 'refund', confidence: 0.5 }, [rule({})], settings)?.id).toBe('r1');
    expect(matchRule({ intent: 'refund', confidence: 0.49 }, [rule({})], settings)).toBeUndefined();
    expect(matchRule({ intent: 'refund', confidence: 0.7 }, [rule({ minConfidence: 0.8 })], settings)).toBeUndefined();
    expect(matchRule({ intent: 'billing', confidence: 0.99 }, [rule({})], settings)).toBeUndefined();
  });

  it("keeps an agent's intent, and writes nothing when a message repeats the known intent", () => {
    const agentSet = conv({ intent: 'refund', intentConfidence: 1 });
    const out = decideRouting(agentSet, { intent: 'billing', confidence: 0.95 }, [rule({ intent: 'billing' })], settings);
    expect(out).toEqual({ patch: {}, note: null, rule: null });
    expect(decideRouting(conv({ intent: 'greeting', intentConfidence: 0.8 }), { intent: 'greeting', confidence: 0.9 }, [], settings).patch).toEqual({});
  });

  it('effectiveChanges drops fields that already hold the value', () => {
    expect(effectiveChanges(conv({ triage: true, teamId: 't1' }), { triage: true, teamId: 't2', intent: null })).toEqual({ teamId: 't2' });
  });
});
