import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '../../server/contract/index.js';
import { api, login, visitorSession } from '../helpers/api.js';
import { Party } from '../helpers/party.js';
import { createTestDatabase, type TestDatabase } from '../helpers/pg.js';
import { TestRedis, TestRedisCluster } from '../helpers/redis.js';
import { startServer, type RunningServer } from '../helpers/server.js';

const NODE_ENV = { WS_FRAMES_PER_SECOND: '2000', WS_FRAME_BURST: '2000', LOG_LEVEL: 'error', SESSION_RATE_PER_MINUTE: '1000' };
const VISITORS = 6;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every message of a conversation, from the database through a live node's REST API. */
async function history(base: string, token: string, conversationId: string): Promise<Message[]> {
  let items: Message[] = [];
  let cursor: string | null = 'after:0';
  while (cursor) {
    const page: { status: number; body: { items: Message[]; nextCursor: string | null } } = await api(base, token).get(`/api/v1/conversations/${conversationId}/messages?cursor=${cursor}&limit=200`);
    expect(page.status).toBe(200);
    items = items.concat(page.body.items);
    cursor = page.body.nextCursor;
  }
  return items;
}

describe.each(['standalone Redis', 'Redis Cluster'] as const)('three nodes on one PostgreSQL and %s', (mode) => {
  let pg: TestDatabase;
  let redis: TestRedis | undefined;
  let redisCluster: TestRedisCluster | undefined;
  const nodes: RunningServer[] = [];
  let visitors: Party[] = [];
  let agents: Party[] = [];
  let adminToken: string;
  let secondToken: string;
  let trafficOn = false;
  let rounds = 0; // global, so every body is unique across the phases
  let traffic: Promise<void> = Promise.resolve();

  const alive = () => nodes.find((n) => n.child.exitCode === null && n.child.signalCode === null)!;
  const everyone = () => [...visitors, ...agents];

  /** Visitors write and agents answer, until `trafficOn` turns false. */
  function startTraffic(): void {
    trafficOn = true;
    traffic = (async () => {
      while (trafficOn) {
        const round = ++rounds;
        for (const v of visitors) v.send(`${v.name} says ${round}`, [...v.conversations][0]);
        if (round % 2 === 0) {
          for (const [i, v] of visitors.entries()) {
            const agent = agents[i % agents.length]!;
            agent.send(`${agent.name} answers ${v.name} ${round}`, [...v.conversations][0]);
          }
        }
        await sleep(40);
      }
    })();
  }
  async function stopTraffic(): Promise<void> {
    trafficOn = false;
    await traffic;
  }

  /** The core promise: no acknowledged message lost or duplicated, and every party sees it all. */
  async function expectNothingLost(): Promise<void> {
    await Promise.all(everyone().map((p) => p.settle()));
    const base = alive().url;
    const conversations = visitors.map((v) => [...v.conversations][0]!);
    for (const a of agents) for (const id of conversations) a.conversations.add(id);
    await Promise.all(everyone().map((p) => p.syncAll()));
    const byId = new Map<string, Message>();
    for (const id of conversations) {
      const stored = await history(base, adminToken, id);
      expect(stored.map((m) => m.seq)).toEqual(stored.map((_, i) => i + 1));
      expect(new Set(stored.map((m) => m.body)).size).toBe(stored.length); // no duplicate message
      for (const m of stored) byId.set(m.id, m);
      for (const party of everyone()) {
        if (party.conversations.has(id)) expect(party.view(id).map((m) => m.id)).toEqual(stored.map((m) => m.id));
      }
    }
    for (const party of everyone()) {
      for (const m of party.acked.values()) expect(byId.get(m.id)?.seq).toBe(m.seq);
    }
  }

  beforeAll(async () => {
    pg = await createTestDatabase('sb_cluster');
    let env: Record<string, string>;
    if (mode === 'standalone Redis') {
      redis = await TestRedis.start();
      env = { ...NODE_ENV, REDIS_URL: redis.url };
    } else {
      redisCluster = await TestRedisCluster.start();
      env = { ...NODE_ENV, REDIS_URL: redisCluster.url, REDIS_CLUSTER: 'true' };
    }
    nodes.push(await startServer({ databaseUrl: pg.url, env }));
    nodes.push(...(await Promise.all([1, 2].map(() => startServer({ databaseUrl: pg.url, env })))));
    const wsUrls = nodes.map((n) => n.wsUrl);

    adminToken = await login(nodes[0]!.url, nodes[0]!.adminEmail, nodes[0]!.adminPassword);
    const second = await api(nodes[1]!.url, adminToken).post('/api/v1/agents', { email: `agent-${Date.now()}@example.com`, name: 'Second Agent', password: 'second agent password' });
    expect(second.status).toBe(201);
    secondToken = await login(nodes[2]!.url, second.body.email, 'second agent password');
    // Agents on nodes 1 and 2; visitors spread over all three.
    agents = [new Party('agent-a', adminToken, wsUrls, 1), new Party('agent-b', secondToken, wsUrls, 2)];
    for (let i = 0; i < VISITORS; i++) {
      const session = await visitorSession(nodes[i % 3]!.url, nodes[0]!.websiteToken);
      visitors.push(new Party(`visitor-${i}`, session.token, wsUrls, i % 3));
    }
    await Promise.all(everyone().map((p) => p.start()));
  }, 120_000);

  afterAll(async () => {
    trafficOn = false;
    everyone().forEach((p) => p.stop());
    await Promise.all(nodes.map((n) => n.kill()));
    await redis?.stop();
    await redisCluster?.stop();
    await pg?.drop();
  });

  it('knows on every node which agents are online on any node', async () => {
    const ids = await Promise.all([adminToken, secondToken].map(async (t) => (await api(nodes[0]!.url, t).get('/api/v1/auth/me')).body.id as string));
    for (const node of nodes) {
      const presence = await api(node.url, adminToken).get('/api/v1/presence');
      expect(presence.body.online).toEqual([...ids].sort());
    }
  });

  it('delivers every message to every party live, in seq order, across nodes', async () => {
    for (const v of visitors) v.send(`${v.name} opens`);
    await Promise.all(visitors.map((v) => v.settle()));
    startTraffic();
    await sleep(1500);
    await stopTraffic();
    await Promise.all(everyone().map((p) => p.settle()));
    await sleep(300);
    for (const v of visitors) {
      const id = [...v.conversations][0]!;
      const stored = await history(alive().url, adminToken, id);
      expect(stored.length).toBeGreaterThan(30);
      // Visitor: its own sends arrive as acks; everything the agents wrote arrives live, in order.
      const fromAgents = stored.filter((m) => m.sender.type === 'agent').map((m) => m.seq);
      expect(v.live.get(id)?.filter((s) => fromAgents.includes(s))).toEqual(fromAgents);
      // Agents: every message of every conversation arrives live (their own too), in seq order.
      for (const a of agents) expect(a.live.get(id)).toEqual(stored.map((m) => m.seq));
    }
    await expectNothingLost();
  });

  it('loses and duplicates nothing when a node is SIGKILLed mid-traffic', async () => {
    const victim = nodes[0]!;
    const onVictim = everyone().filter((p) => p.node === 0);
    expect(onVictim.length).toBeGreaterThan(0);
    startTraffic();
    await sleep(700);
    await victim.kill();
    await sleep(1500);
    await stopTraffic();
    for (const p of onVictim) expect(p.reconnects).toBeGreaterThan(0);
    for (const p of onVictim) expect(p.node).not.toBe(0);
    await expectNothingLost();
  });

  // Restarting one standalone Redis is the scenario; the cluster variant covers topology instead.
  if (mode === 'standalone Redis') it('recovers from a Redis restart during traffic: resubscribe, resync, live again', async () => {
    const resyncsBefore = everyone().map((p) => p.resyncs);
    startTraffic();
    await sleep(500);
    await redis!.restart(700);
    await sleep(2500);
    await stopTraffic();
    // Every node told its clients to resync once its subscriptions were back.
    everyone().forEach((p, i) => expect(p.resyncs).toBeGreaterThan(resyncsBefore[i]!));
    await expectNothingLost();
    // Live delivery works again: a fresh agent reply reaches the visitor without a sync.
    const v = visitors[0]!;
    const id = [...v.conversations][0]!;
    const before = v.live.get(id)?.length ?? 0;
    agents[0]!.send('after the restart', id);
    await agents[0]!.settle();
    const deadline = Date.now() + 5000;
    while ((v.live.get(id)?.length ?? 0) === before && Date.now() < deadline) await sleep(20);
    expect(v.view(id).at(-1)?.body).toBe('after the restart');
    expect(v.live.get(id)?.length).toBe(before + 1);
  });
});
