import { describe, expect, it } from 'vitest';
import { WidgetApi } from '../../../widget/src/core/api.js';
import { PendingAttributes } from '../../../widget/src/core/attributes.js';
import type { AttributeValue } from '../../../widget/src/core/types.js';
import { fakeFetch } from './fakes.js';

type Outcome = 'ok' | 'offline' | 'refused';

/** The contact endpoint; each PATCH takes the next outcome (then 'ok'); `during` runs while the first one is in flight. */
function setup(outcomes: Outcome[] = [], during?: () => void) {
  let inFlight = during;
  const http = fakeFetch({
    'PATCH /api/v1/widget/contact': (body) => {
      inFlight?.();
      inFlight = undefined;
      const outcome = outcomes.shift() ?? 'ok';
      if (outcome === 'offline') throw new TypeError('Failed to fetch');
      if (outcome === 'refused') return { status: 422, body: { error: { code: 'SB_ERR_VALIDATION', message: 'bad attribute' } } };
      return { status: 200, body };
    },
  });
  const api = new WidgetApi('http://hub', http.fetch);
  const save = (attributes: Record<string, AttributeValue>) => api.updateContact('tok', { attributes });
  const sent = () => http.calls.map((c) => (c.body as { attributes: Record<string, AttributeValue> }).attributes);
  return { attrs: new PendingAttributes(), save, sent };
}

describe('PendingAttributes', () => {
  it('sends nothing while nothing is pending', async () => {
    const { attrs, save, sent } = setup();
    await attrs.flush(save);
    expect(sent()).toEqual([]);
  });

  it('sends everything set so far in one request (later values win), and only once', async () => {
    const { attrs, save, sent } = setup();
    attrs.add({ plan: 'free', seats: 1 });
    attrs.add({ plan: 'pro', vip: true });
    await attrs.flush(save);
    await attrs.flush(save);
    expect(sent()).toEqual([{ plan: 'pro', seats: 1, vip: true }]);
  });

  it('keeps them for the next connection when offline; values set meanwhile win', async () => {
    const t = setup(['offline'], () => t.attrs.add({ plan: 'enterprise', team: 'b' }));
    t.attrs.add({ plan: 'pro', seats: 3 });
    await t.attrs.flush(t.save);
    await t.attrs.flush(t.save);
    expect(t.sent()).toEqual([
      { plan: 'pro', seats: 3 },
      { plan: 'enterprise', team: 'b', seats: 3 },
    ]);
  });

  it('drops them when the server refuses (retrying would be refused again)', async () => {
    const { attrs, save, sent } = setup(['refused']);
    attrs.add({ plan: 'pro' });
    await expect(attrs.flush(save)).resolves.toBeUndefined();
    await attrs.flush(save);
    expect(sent()).toHaveLength(1);
  });

  it('forgets what is pending on clear (logout)', async () => {
    const { attrs, save, sent } = setup();
    attrs.add({ plan: 'pro' });
    attrs.clear();
    await attrs.flush(save);
    expect(sent()).toEqual([]);
  });
});
