import { describe, expect, it } from 'vitest';
import { parseRoute, routePath } from '../../../inbox/src/state/router.js';

describe('inbox routes', () => {
  it('round-trips every admin tab, routing included', () => {
    for (const tab of ['inboxes', 'agents', 'canned', 'routing'] as const) {
      expect(parseRoute(routePath({ view: 'admin', tab }))).toEqual({ view: 'admin', tab });
    }
  });

  it('falls back to the inboxes tab and to the list for unknown paths', () => {
    expect(parseRoute('/inbox/admin/nope')).toEqual({ view: 'admin', tab: 'inboxes' });
    expect(parseRoute('/elsewhere')).toEqual({ view: 'conversations', id: null });
    expect(parseRoute('/inbox/conversations/c%201')).toEqual({ view: 'conversations', id: 'c 1' });
  });
});
