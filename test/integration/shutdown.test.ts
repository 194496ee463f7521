import { describe, expect, it } from 'vitest';
import { api, login, visitorSession } from '../helpers/api.js';
import { startServer } from '../helpers/server.js';
import { WsClient } from '../helpers/ws.js';

describe('graceful shutdown', () => {
  it('drains in-flight writes: every acknowledged message survives a SIGTERM mid-traffic', async () => {
    const server = await startServer({ env: { WS_FRAME_BURST: '1000', WS_FRAMES_PER_SECOND: '1000' } });
    const session = await visitorSession(server.url, server.websiteToken);
    const visitor = await WsClient.connect(server.wsUrl, session.token);
    const first = await visitor.request({ type: 'message.send', clientId: 'warm-up', body: 'start' }, (f) => f.type === 'message.ack');
    const conversationId = first.message.conversationId as string;

    for (let i = 0; i < 300; i++) visitor.send({ type: 'message.send', clientId: `burst-${i}`, conversationId, body: `burst ${i}` });
    await visitor.next((f) => f.type === 'message.ack' && f.clientId === 'burst-5');
    const exit = server.stop();
    const closed = await visitor.waitClosed();
    expect(closed.code).toBe(1001);
    expect(await exit).toBe(0);
    const acked = visitor.ofType('message.ack').map((f) => f.message);

    // Same data directory, new process: everything that was acknowledged is there, once, in order.
    const again = await startServer({ dataDir: server.dataDir });
    try {
      const token = await login(again.url, again.adminEmail, again.adminPassword);
      const history = await api(again.url, token).get(`/api/v1/conversations/${conversationId}/messages?after=0&limit=200`);
      let items = history.body.items as { id: string; seq: number }[];
      let cursor = history.body.nextCursor as string | null;
      while (cursor) {
        const page = await api(again.url, token).get(`/api/v1/conversations/${conversationId}/messages?cursor=${cursor}&limit=200`);
        items = items.concat(page.body.items);
        cursor = page.body.nextCursor;
      }
      const stored = new Map(items.map((m) => [m.id, m.seq]));
      for (const m of acked) expect(stored.get(m.id)).toBe(m.seq);
      expect(items.map((m) => m.seq)).toEqual(items.map((_, i) => i + 1));
    } finally {
      await again.stop();
    }
  });
});
