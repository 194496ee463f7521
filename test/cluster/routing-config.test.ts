import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, login, visitorSession } from '../helpers/api.js';
import { eventually } from '../helpers/browser.js';
import { createTestDatabase, type TestDatabase } from '../helpers/pg.js';
import { SHARED_REDIS_URL, uniquePrefix } from '../helpers/redis.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { WsClient } from '../helpers/ws.js';

/**
 * Every node caches a tenant's routing rules and triage settings (routing reads them for every
 * customer message) for a minute; a change made through one node must still reach all of them
 * at once, over the bus.
 */
describe('routing configuration on two nodes (PostgreSQL + Redis)', () => {
  let pg: TestDatabase;
  const nodes: RunningServer[] = [];
  let a: ReturnType<typeof api>;
  let b: ReturnType<typeof api>;
  const sockets: WsClient[] = [];

  beforeAll(async () => {
    pg = await createTestDatabase('sb_cluster');
    const env = { REDIS_URL: SHARED_REDIS_URL, REDIS_PREFIX: uniquePrefix('cfg').replace(/[^A-Za-z0-9_.:-]/g, ''), LOG_LEVEL: 'error', SESSION_RATE_PER_MINUTE: '1000' };
    nodes.push(await startServer({ databaseUrl: pg.url, env }));
    nodes.push(await startServer({ databaseUrl: pg.url, env }));
    const token = await login(nodes[0]!.url, nodes[0]!.adminEmail, nodes[0]!.adminPassword);
    a = api(nodes[0]!.url, token);
    b = api(nodes[1]!.url, token);
  });

  afterAll(async () => {
    await Promise.all(sockets.map((s) => s.close()));
    await Promise.all(nodes.map((n) => n.kill()));
    await pg?.drop();
  });

  it('a rule or setting changed on one node is what every node uses next, without waiting for the cache to expire', async () => {
    // Both nodes read (and cache) the empty configuration first.
    for (const node of [a, b]) {
      expect((await node.get('/api/v1/intent/rules')).body.items).toEqual([]);
      expect((await node.get('/api/v1/intent/settings')).body.triageTeamId).toBeNull();
    }
    const team = (await a.post('/api/v1/teams', { name: 'Fulfilment' })).body.id as string;
    const triage = (await a.post('/api/v1/teams', { name: 'Triage' })).body.id as string;
    const rule = await a.post('/api/v1/intent/rules', { intent: 'order_status', teamId: team });
    expect(rule.status).toBe(201);
    expect((await a.put('/api/v1/intent/settings', { triageThreshold: 0.5, triageTeamId: triage })).status).toBe(200);

    // The notice crosses Redis pub/sub asynchronously: allow a moment, far below the one-minute TTL.
    await eventually(async () => ((await b.get('/api/v1/intent/rules')).body.items.length === 1 ? true : undefined), 'node B sees the rule', 3000);
    expect((await b.get('/api/v1/intent/settings')).body).toEqual({ triageThreshold: 0.5, triageTeamId: triage });

    // Customers writing to either node are routed by it, whichever node runs their routing job.
    const ids: string[] = [];
    for (const [i, node] of nodes.entries()) {
      for (let k = 0; k < 3; k++) {
        const v = await visitorSession(node.url, nodes[0]!.websiteToken);
        const ws = await WsClient.connect(node.wsUrl, v.token);
        sockets.push(ws);
        const clientId = `n${i}-${k}`;
        const ack = await ws.request({ type: 'message.send', clientId, body: `where is my order #${i}${k}` }, (f) => f.type === 'message.ack' && f.clientId === clientId);
        ids.push(ack.message.conversationId);
      }
    }
    for (const id of ids) {
      const c = await eventually(async () => {
        const c = (await b.get(`/api/v1/conversations/${id}`)).body;
        return c.teamId ? c : undefined;
      }, `routing of ${id}`);
      expect(c).toMatchObject({ intent: 'order_status', teamId: team });
    }

    // A removal travels the same way.
    expect((await a.delete(`/api/v1/intent/rules/${rule.body.id}`)).status).toBe(204);
    await eventually(async () => ((await b.get('/api/v1/intent/rules')).body.items.length === 0 ? true : undefined), 'node B forgets the rule', 3000);
  });
});
