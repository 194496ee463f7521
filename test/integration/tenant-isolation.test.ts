import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentRepo } from '../../server/agents/repo.js';
import { hashPassword } from '../../server/auth/passwords.js';
import { randomSecret } from '../../server/ids.js';
import { InboxRepo } from '../../server/inboxes/repo.js';
import { createDb } from '../../server/storage/db.js';
import { TenantRepo } from '../../server/tenants/repo.js';
import { eventually } from '../helpers/browser.js';
import { api, login, visitorSession, type ApiResponse } from '../helpers/api.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { WsClient } from '../helpers/ws.js';

type Frame = { type: string; [k: string]: any };

function expectNotFound(res: ApiResponse, code: string): void {
  expect({ status: res.status, body: res.body }).toEqual({ status: 404, body: { error: { code, message: expect.any(String) } } });
}

interface Side {
  token: string;
  agentId: string;
  websiteToken: string;
  inboxId: string;
  contactId: string;
  visitorId: string;
  conversationId: string;
  agentWs: WsClient;
  visitorWs: WsClient;
}

describe('tenants are walls (two workspaces on one server)', () => {
  let server: RunningServer;
  let A: Side;
  let B: Side;
  const open: WsClient[] = [];
  const connect = async (token: string) => {
    const c = await WsClient.connect(server.wsUrl, token);
    open.push(c);
    return c;
  };
  const bEmail = 'owner@tenant-b.example';
  const bPassword = 'tenant b has its own password';

  /** Logs in, connects the agent socket, then has a visitor start a conversation. */
  async function side(email: string, password: string, websiteToken: string, text: string): Promise<Side> {
    const token = await login(server.url, email, password);
    const me = await api(server.url, token).get('/api/v1/auth/me');
    const agentWs = await connect(token);
    const session = await visitorSession(server.url, websiteToken);
    const visitorWs = await connect(session.token);
    const ack = await visitorWs.request({ type: 'message.send', clientId: 'first', body: text }, (f) => f.type === 'message.ack');
    await agentWs.next((f) => f.type === 'message.created' && f.message.id === ack.message.id);
    const conv = await api(server.url, token).get(`/api/v1/conversations/${ack.message.conversationId}`);
    expect(conv.status).toBe(200);
    return {
      token,
      agentId: me.body.id,
      websiteToken,
      inboxId: conv.body.inboxId,
      contactId: session.contactId,
      visitorId: session.visitorId,
      conversationId: ack.message.conversationId,
      agentWs,
      visitorWs,
    };
  }
  const bMessages = async () => {
    const r = await api(server.url, B.token).get(`/api/v1/conversations/${B.conversationId}/messages?limit=200`);
    expect(r.status).toBe(200);
    return r.body.items as { seq: number; body: string }[];
  };
  const mentionsB = (frames: Frame[]) => {
    const text = JSON.stringify(frames);
    return [B.conversationId, B.contactId, B.inboxId, 'tenant-b-secret'].filter((s) => text.includes(s));
  };

  beforeAll(async () => {
    server = await startServer();
    // Tenant B lives in the same database, created the way the CLI would, through the repos.
    const db = createDb({ dataDir: server.dataDir });
    let bWebsiteToken: string;
    try {
      const tenant = await new TenantRepo(db).create('Tenant B');
      await new AgentRepo(db).create(tenant.id, { email: bEmail, name: 'B Admin', role: 'admin', passwordHash: await hashPassword(bPassword) });
      const inbox = await new InboxRepo(db).create(tenant.id, {
        name: 'B website',
        channel: 'web',
        settings: { allowedOrigins: [], requireIdentity: false, position: 'right' },
        secrets: {},
        websiteToken: randomSecret(18),
      });
      bWebsiteToken = inbox.websiteToken!;
    } finally {
      await db.destroy();
    }
    A = await side(server.adminEmail, server.adminPassword, server.websiteToken, 'hello from tenant A');
    B = await side(bEmail, bPassword, bWebsiteToken, 'tenant-b-secret: my card number');
    // Intent routing looks at each first message after its ack and may update the
    // conversation; let it finish so the "changes nothing in B" snapshots are not raced by it.
    for (const s of [A, B]) {
      await eventually(async () => {
        const c = (await api(server.url, s.token).get(`/api/v1/conversations/${s.conversationId}`)).body;
        return c.intent !== null || c.triage ? c : undefined;
      }, 'routing of the first message');
    }
  });

  afterAll(async () => {
    await Promise.all(open.map((c) => c.close()));
    expect(await server?.stop()).toBe(0);
  });

  it('sets up two distinct tenants, each seeing its own data', async () => {
    expect(A.agentId).not.toBe(B.agentId);
    expect(A.inboxId).not.toBe(B.inboxId);
    expect((await api(server.url, B.token).get(`/api/v1/inboxes/${B.inboxId}`)).body.websiteToken).toBe(B.websiteToken);
    expect((await api(server.url, A.token).get(`/api/v1/conversations/${A.conversationId}`)).status).toBe(200);
    expect((await bMessages()).map((m) => m.seq)).toEqual([1]);
  });

  it("gives A's agent token 404s for every B resource over REST, and changes nothing in B", async () => {
    const a = api(server.url, A.token);
    const conv = `/api/v1/conversations/${B.conversationId}`;
    const before = await bMessages();
    const bConvBefore = (await api(server.url, B.token).get(conv)).body;

    expectNotFound(await a.get(conv), 'SB_ERR_CONVERSATION_NOT_FOUND');
    expectNotFound(await a.get(`${conv}/messages`), 'SB_ERR_CONVERSATION_NOT_FOUND');
    expectNotFound(await a.get(`${conv}/messages?after=0`), 'SB_ERR_CONVERSATION_NOT_FOUND');
    expectNotFound(await a.patch(conv, { status: 'resolved' }), 'SB_ERR_CONVERSATION_NOT_FOUND');
    expectNotFound(await a.patch(conv, { assigneeId: A.agentId }), 'SB_ERR_CONVERSATION_NOT_FOUND');
    expectNotFound(await a.post(`${conv}/messages`, { body: 'A writes into B' }), 'SB_ERR_CONVERSATION_NOT_FOUND');
    expectNotFound(await a.post(`${conv}/messages`, { body: 'A notes into B', private: true, clientId: 'x-1' }), 'SB_ERR_CONVERSATION_NOT_FOUND');
    expectNotFound(await a.get(`/api/v1/contacts/${B.contactId}`), 'SB_ERR_CONTACT_NOT_FOUND');
    expectNotFound(await a.patch(`/api/v1/contacts/${B.contactId}`, { name: 'renamed by A' }), 'SB_ERR_CONTACT_NOT_FOUND');
    expectNotFound(await a.get(`/api/v1/contacts/${B.contactId}/conversations`), 'SB_ERR_CONTACT_NOT_FOUND');
    expectNotFound(await a.get(`/api/v1/inboxes/${B.inboxId}`), 'SB_ERR_INBOX_NOT_FOUND');

    expect(await bMessages()).toEqual(before);
    expect((await api(server.url, B.token).get(conv)).body).toEqual(bConvBefore);
    expect((await api(server.url, B.token).get(`/api/v1/contacts/${B.contactId}`)).body.name).toBeNull();
  });

  it("keeps B's inbox settings, canned responses and files out of A's reach", async () => {
    const a = api(server.url, A.token);
    const b = api(server.url, B.token);
    expectNotFound(await a.patch(`/api/v1/inboxes/${B.inboxId}`, { name: 'taken over' }), 'SB_ERR_INBOX_NOT_FOUND');
    expect((await b.get(`/api/v1/inboxes/${B.inboxId}`)).body.name).toBe('B website');

    const canned = await b.post('/api/v1/canned-responses', { shortCode: 'refund', content: 'tenant-b-secret refund policy' });
    expect(canned.status).toBe(201);
    expect((await a.get('/api/v1/canned-responses')).body.items).toEqual([]);
    expect((await a.get('/api/v1/canned-responses?q=refund')).body.items).toEqual([]);
    expect((await a.patch(`/api/v1/canned-responses/${canned.body.id}`, { content: 'changed by A' })).status).toBe(404);
    expect((await a.delete(`/api/v1/canned-responses/${canned.body.id}`)).status).toBe(404);
    expect((await b.get('/api/v1/canned-responses')).body.items.map((c: { content: string }) => c.content)).toEqual(['tenant-b-secret refund policy']);
    // The same short code is free in A: codes are unique per tenant only.
    expect((await a.post('/api/v1/canned-responses', { shortCode: 'refund', content: 'A policy' })).status).toBe(201);

    const upload = await fetch(`${server.url}/api/v1/attachments?name=b.txt`, {
      method: 'POST',
      headers: { authorization: `Bearer ${B.token}`, 'content-type': 'text/plain' },
      body: 'tenant-b-secret file',
    });
    const file = (await upload.json()) as { id: string; url: string };
    const bPath = new URL(file.url).pathname;
    expect((await fetch(`${server.url}${bPath}`)).status).toBe(200);
    // Under A's tenant id the same file id does not exist.
    const me = await a.get('/api/v1/auth/me');
    const aPath = bPath.replace(/^\/attachments\/[^/]+\//, `/attachments/${encodeURIComponent(me.body.tenantId)}/`);
    expect(aPath).not.toBe(bPath);
    expect((await fetch(`${server.url}${aPath}`)).status).toBe(404);
    expectNotFound(await a.post(`/api/v1/conversations/${A.conversationId}/messages`, { body: 'steal', attachments: [file.id] }), 'SB_ERR_ATTACHMENT_NOT_FOUND');
  });

  it("keeps B's ids out of A's lists (and A's out of B's)", async () => {
    const a = api(server.url, A.token);
    const b = api(server.url, B.token);
    const ids = async (client: ReturnType<typeof api>, path: string) => {
      const r = await client.get(path);
      expect(r.status).toBe(200);
      return (r.body.items as { id: string }[]).map((i) => i.id);
    };
    const aConvs = await ids(a, '/api/v1/conversations?limit=200');
    expect(aConvs).toContain(A.conversationId);
    expect(aConvs).not.toContain(B.conversationId);
    const aContacts = await ids(a, '/api/v1/contacts?limit=200');
    expect(aContacts).toContain(A.contactId);
    expect(aContacts).not.toContain(B.contactId);
    const aInboxes = await ids(a, '/api/v1/inboxes');
    expect(aInboxes).toContain(A.inboxId);
    expect(aInboxes).not.toContain(B.inboxId);
    const aAgents = await ids(a, '/api/v1/agents');
    expect(aAgents).toContain(A.agentId);
    expect(aAgents).not.toContain(B.agentId);
    // Filters naming B's objects find nothing either.
    expect(await ids(a, `/api/v1/conversations?inboxId=${B.inboxId}`)).toEqual([]);
    expect(await ids(a, `/api/v1/conversations?contactId=${B.contactId}`)).toEqual([]);
    expect(JSON.stringify((await a.get('/api/v1/contacts?q=tenant')).body)).not.toContain(B.contactId);

    expect(await ids(b, '/api/v1/conversations?limit=200')).toEqual([B.conversationId]);
    expect(await ids(b, '/api/v1/contacts?limit=200')).toEqual([B.contactId]);
    expect(await ids(b, '/api/v1/inboxes')).toEqual([B.inboxId]);
    expect(await ids(b, '/api/v1/agents')).toEqual([B.agentId]);
  });

  it("does not let B reference A's agent when assigning", async () => {
    const r = await api(server.url, B.token).patch(`/api/v1/conversations/${B.conversationId}`, { assigneeId: A.agentId });
    expectNotFound(r, 'SB_ERR_AGENT_NOT_FOUND');
    expect((await api(server.url, B.token).get(`/api/v1/conversations/${B.conversationId}`)).body.assigneeId).toBeNull();
  });

  it("answers A's agent socket with SB_ERR_CONVERSATION_NOT_FOUND for every frame on B's conversation", async () => {
    const before = await bMessages();
    const ws = A.agentWs;
    const conversationId = B.conversationId;
    const isError = (f: Frame) => f.type === 'error';
    const send = { type: 'message.send', clientId: 'a-into-b', conversationId, body: 'A writes into B over WS' };
    const sendErr = await ws.request(send, isError);
    expect(sendErr).toMatchObject({ type: 'error', code: 'SB_ERR_CONVERSATION_NOT_FOUND', clientId: 'a-into-b' });
    const privateSend = { type: 'message.send', clientId: 'a-note-b', conversationId, body: 'note', private: true };
    expect(await ws.request(privateSend, isError)).toMatchObject({ code: 'SB_ERR_CONVERSATION_NOT_FOUND', clientId: 'a-note-b' });
    expect(await ws.request({ type: 'sync', conversationId, since: 0 }, isError)).toMatchObject({ code: 'SB_ERR_CONVERSATION_NOT_FOUND' });
    expect(await ws.request({ type: 'typing', conversationId, on: true }, isError)).toMatchObject({ code: 'SB_ERR_CONVERSATION_NOT_FOUND' });
    expect(await ws.request({ type: 'read', conversationId, seq: 1 }, isError)).toMatchObject({ code: 'SB_ERR_CONVERSATION_NOT_FOUND' });
    expect((await ws.request({ type: 'ping' }, (f) => f.type === 'pong')).type).toBe('pong');

    expect(ws.ofType('message.ack').filter((f) => f.clientId === 'a-into-b' || f.clientId === 'a-note-b')).toEqual([]);
    expect(ws.ofType('sync.done')).toEqual([]);
    expect(mentionsB(ws.frames)).toEqual([]);
    expect(await bMessages()).toEqual(before);
    // B's visitor and agent saw none of it (no typing, no read receipt, no message).
    await B.agentWs.request({ type: 'ping' }, (f) => f.type === 'pong');
    expect(B.agentWs.frames.filter((f) => f.type === 'typing' || f.type === 'read')).toEqual([]);
    expect(JSON.stringify(B.visitorWs.frames)).not.toContain('A writes into B');
  });

  it("fans B's live traffic out to B's agents only", async () => {
    const aAgentFrom = A.agentWs.frames.length;
    const aVisitorFrom = A.visitorWs.frames.length;
    const ack = await B.visitorWs.request(
      { type: 'message.send', clientId: 'second', body: 'tenant-b-secret: second message' },
      (f) => f.type === 'message.ack',
    );
    B.visitorWs.send({ type: 'typing', conversationId: B.conversationId, on: true });
    const atB = await B.agentWs.next((f) => f.type === 'message.created' && f.message.id === ack.message.id);
    expect(atB.message.conversationId).toBe(B.conversationId);
    await B.agentWs.next((f) => f.type === 'typing' && f.conversationId === B.conversationId);
    const reply = await api(server.url, B.token).post(`/api/v1/conversations/${B.conversationId}/messages`, { body: 'tenant-b-secret: reply' });
    expect(reply.status).toBe(201);
    await B.visitorWs.next((f) => f.type === 'message.created' && f.message.id === reply.body.id);

    // Barrier: traffic in A after B's reaches A's sockets; everything of B would have come first.
    const aAck = await A.visitorWs.request({ type: 'message.send', clientId: 'barrier', body: 'A again' }, (f) => f.type === 'message.ack');
    await A.agentWs.next((f) => f.type === 'message.created' && f.message.id === aAck.message.id, 5000, aAgentFrom);
    await A.agentWs.request({ type: 'ping' }, (f) => f.type === 'pong');

    expect(mentionsB(A.agentWs.frames.slice(aAgentFrom))).toEqual([]);
    expect(mentionsB(A.agentWs.frames)).toEqual([]);
    expect(mentionsB(A.visitorWs.frames.slice(aVisitorFrom))).toEqual([]);
    expect(A.agentWs.frames.filter((f) => f.type === 'message.created').every((f) => f.message.conversationId === A.conversationId)).toBe(true);
    expect(JSON.stringify(B.agentWs.frames)).not.toContain(A.conversationId);
  });

  it("does not let a visitor of A read or write B's conversation", async () => {
    const before = await bMessages();
    const ws = A.visitorWs;
    const conversationId = B.conversationId;
    const isError = (f: Frame) => f.type === 'error';
    expect(await ws.request({ type: 'sync', conversationId, since: 0 }, isError)).toMatchObject({ code: 'SB_ERR_CONVERSATION_NOT_FOUND' });
    const send = { type: 'message.send', clientId: 'visitor-into-b', conversationId, body: 'visitor A writes into B' };
    expect(await ws.request(send, isError)).toMatchObject({ code: 'SB_ERR_CONVERSATION_NOT_FOUND', clientId: 'visitor-into-b' });
    expect(await ws.request({ type: 'typing', conversationId, on: true }, isError)).toMatchObject({ code: 'SB_ERR_CONVERSATION_NOT_FOUND' });
    expect(await ws.request({ type: 'read', conversationId, seq: 1 }, isError)).toMatchObject({ code: 'SB_ERR_CONVERSATION_NOT_FOUND' });
    expect(mentionsB(ws.frames)).toEqual([]);

    // The visitor token is no key to the agent API of either tenant.
    const session = await visitorSession(server.url, A.websiteToken);
    const r = await api(server.url, session.token).get(`/api/v1/conversations/${conversationId}/messages`);
    expect({ status: r.status, code: r.body.error?.code }).toEqual({ status: 403, code: 'SB_ERR_FORBIDDEN' });
    // Claiming A's visitor id on B's widget yields a fresh B contact, not A's.
    const onB = await visitorSession(server.url, B.websiteToken, { visitorId: A.visitorId });
    expect(onB.contactId).not.toBe(A.contactId);
    expect(onB.visitorId).not.toBe(A.visitorId);

    expect(await bMessages()).toEqual(before);
    expect(before.map((m) => m.seq)).toEqual([1, 2, 3]);
  });
});
