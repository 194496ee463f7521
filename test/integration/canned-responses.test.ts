import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, login } from '../helpers/api.js';
import { startServer, type RunningServer } from '../helpers/server.js';

describe('canned responses over the REST API', () => {
  let server: RunningServer;
  let admin: ReturnType<typeof api>;
  let agent: ReturnType<typeof api>;

  beforeAll(async () => {
    server = await startServer();
    admin = api(server.url, await login(server.url, server.adminEmail, server.adminPassword));
    const created = await admin.post('/api/v1/agents', { email: 'sam@example.com', name: 'Sam', password: 'sam-password-1' });
    expect(created.status).toBe(201);
    agent = api(server.url, await login(server.url, 'sam@example.com', 'sam-password-1'));
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('admins create, change and delete them; agents list and search them', async () => {
    const hello = await admin.post('/api/v1/canned-responses', { shortCode: 'hello', content: 'Hi! How can I help you today?' });
    expect(hello.status).toBe(201);
    expect(hello.body).toMatchObject({ shortCode: 'hello', content: 'Hi! How can I help you today?' });
    await admin.post('/api/v1/canned-responses', { shortCode: 'refund', content: 'Refunds take 5–7 business days.' });
    await admin.post('/api/v1/canned-responses', { shortCode: '退款', content: '退款需要 5–7 个工作日。' });

    expect((await agent.get('/api/v1/canned-responses')).body.items.map((c: { shortCode: string }) => c.shortCode)).toEqual(['hello', 'refund', '退款']);
    expect((await agent.get('/api/v1/canned-responses?q=ref')).body.items.map((c: { shortCode: string }) => c.shortCode)).toEqual(['refund']);
    expect((await agent.get('/api/v1/canned-responses?q=business')).body.items.map((c: { shortCode: string }) => c.shortCode)).toEqual(['refund']);
    expect((await agent.get(`/api/v1/canned-responses?q=${encodeURIComponent('退')}`)).body.items).toHaveLength(1);
    // LIKE wildcards in the query are literal.
    expect((await agent.get('/api/v1/canned-responses?q=%25')).body.items).toEqual([]);

    const changed = await admin.patch(`/api/v1/canned-responses/${hello.body.id}`, { content: 'Hello there!' });
    expect(changed.status).toBe(200);
    expect(changed.body.content).toBe('Hello there!');
    expect((await admin.delete(`/api/v1/canned-responses/${hello.body.id}`)).status).toBe(204);
    expect((await agent.get('/api/v1/canned-responses')).body.items.map((c: { shortCode: string }) => c.shortCode)).toEqual(['refund', '退款']);
  });

  it('refuses duplicates, bad codes and non-admin writes with structured errors', async () => {
    const dup = await admin.post('/api/v1/canned-responses', { shortCode: 'refund', content: 'again' });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('SB_ERR_CONFLICT');
    const spaced = await admin.post('/api/v1/canned-responses', { shortCode: 'two words', content: 'x' });
    expect(spaced.status).toBe(422);
    expect(spaced.body.error.message).toContain('shortCode');
    const empty = await admin.post('/api/v1/canned-responses', { shortCode: 'empty', content: '   ' });
    expect(empty.status).toBe(422);
    const byAgent = await agent.post('/api/v1/canned-responses', { shortCode: 'mine', content: 'x' });
    expect(byAgent.status).toBe(403);
    expect((await admin.patch('/api/v1/canned-responses/nope', { content: 'x' })).status).toBe(404);
    expect((await admin.delete('/api/v1/canned-responses/nope')).status).toBe(404);
  });
});
