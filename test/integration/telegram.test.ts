import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, login } from '../helpers/api.js';
import { createTestDatabase, type TestDatabase } from '../helpers/pg.js';
import { freePort } from '../helpers/redis.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { WsClient } from '../helpers/ws.js';
import { FakeTelegramBotApi } from '../fakes/telegram-bot-api.js';
import { groupChat, photoUpdate, textUpdate, update, message, user } from '../fakes/telegram-updates.js';

const FAST = { CHANNEL_LEASE_MS: '3000', DELIVERY_BACKOFF_MS: '200', LOG_LEVEL: 'error' };
// A tiny JPEG: the attachments module checks the magic bytes.
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46]), Buffer.alloc(300, 7), Buffer.from([0xff, 0xd9])]);
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(200, 3)]);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(fn: () => Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(50);
  }
}

describe.each(['webhook', 'polling'] as const)('Telegram inbox in %s mode through a real server', (mode) => {
  let fake: FakeTelegramBotApi;
  let server: RunningServer;
  let pgdb: TestDatabase | undefined;
  let token: string;
  let botToken: string;
  let inboxId: string;
  let agent: WsClient;
  const client = () => api(server.url, token);
  const messagesOf = async (conversationId: string) => (await client().get(`/api/v1/conversations/${conversationId}/messages?limit=200`)).body.items as any[];
  /** Sends an update the way this mode receives it. */
  const deliver = async (u: Record<string, unknown>) => {
    if (mode === 'webhook') expect(await fake.deliverWebhook(botToken, u)).toBe(200);
    else fake.pushUpdate(botToken, u);
  };
  const inbound = (pred: (m: any) => boolean) => agent.next((f) => f.type === 'message.created' && f.message.channel === 'telegram' && pred(f.message), 10_000);
  const sentTexts = () => fake.callsOf('sendMessage', botToken).map((c) => c.params['text']);

  beforeAll(async () => {
    fake = await FakeTelegramBotApi.start();
    botToken = fake.addBot();
    if (mode === 'webhook') {
      pgdb = await createTestDatabase();
      const port = await freePort();
      server = await startServer({ databaseUrl: pgdb.url, port, env: { ...FAST, PUBLIC_URL: `http://127.0.0.1:${port}` } });
    } else {
      server = await startServer({ env: FAST });
    }
    token = await login(server.url, server.adminEmail, server.adminPassword);
    agent = await WsClient.connect(server.wsUrl, token);
  });

  afterAll(async () => {
    await agent?.close();
    expect(await server?.stop()).toBe(0);
    await fake?.close();
    await pgdb?.drop();
    expect(server.output()).not.toContain(botToken);
  });

  it('refuses a bad token on the botToken field, and creates the inbox with a good one (token never returned)', async () => {
    const bad = await client().post('/api/v1/inboxes', { name: 'TG', channel: 'telegram', settings: { botToken: '123456:AAAAAAAAAAAAAAAAAAAAAAAAwrong', apiRoot: fake.url } });
    expect(bad.status).toBe(422);
    expect(bad.body.error.code).toBe('SB_ERR_VALIDATION');
    expect(bad.body.error.details.fields[0].path).toBe('settings.botToken');
    const malformed = await client().post('/api/v1/inboxes', { name: 'TG', channel: 'telegram', settings: { botToken: 'nope' } });
    expect(malformed.status).toBe(422);

    const res = await client().post('/api/v1/inboxes', { name: 'Telegram', channel: 'telegram', settings: { botToken, apiRoot: fake.url } });
    expect(res.status).toBe(201);
    inboxId = res.body.id;
    expect(res.body).toMatchObject({ channel: 'telegram', settings: { apiRoot: fake.url, botUsername: 'switchboard_test_bot' } });
    const listed = JSON.stringify((await client().get('/api/v1/inboxes')).body);
    expect(JSON.stringify(res.body) + listed).not.toContain(botToken.split(':')[1]);
    if (mode === 'webhook') {
      expect(res.body.webhookUrl).toBe(`${new URL(fake.webhookOf(botToken)!.url).origin}/webhooks/telegram/${inboxId}`);
      expect(fake.webhookOf(botToken)).toMatchObject({ url: res.body.webhookUrl, secret: expect.stringMatching(/^[A-Za-z0-9_-]{32,}$/) });
      expect(listed).not.toContain(fake.webhookOf(botToken)!.secret);
    } else {
      expect(res.body.webhookUrl).toBeUndefined();
      await fake.waitFor(() => fake.callsOf('getUpdates', botToken).length > 0);
    }
  });

  it("delivers a customer's message live to the agent, and the agent's reply as sendMessage", async () => {
    const ada = user(7001, 'Ada', { last_name: 'Lovelace', username: 'ada' });
    await deliver(textUpdate(ada, 'Hi, my parcel is late'));
    const live = await inbound((m) => m.body === 'Hi, my parcel is late');
    expect(live.message).toMatchObject({ direction: 'inbound', sender: { type: 'contact', name: 'Ada Lovelace' }, seq: 1 });
    const conversationId = live.message.conversationId;
    const conv = (await client().get(`/api/v1/conversations/${conversationId}`)).body;
    expect(conv).toMatchObject({ channel: 'telegram', inboxId, status: 'open' });
    const contact = (await client().get(`/api/v1/contacts/${conv.contactId}`)).body;
    expect(contact.identities).toEqual([expect.objectContaining({ inboxId, channel: 'telegram', externalId: 'user:7001' })]);

    const reply = await client().post(`/api/v1/conversations/${conversationId}/messages`, { body: 'Checking, one moment <b>not html</b> & co' });
    expect(reply.status).toBe(201);
    await fake.waitFor(() => sentTexts().includes('Checking, one moment <b>not html</b> & co'));
    const call = fake.callsOf('sendMessage', botToken).find((c) => c.params['text'] === 'Checking, one moment <b>not html</b> & co')!;
    expect(call.params['chat_id']).toBe(7001);
    expect(call.params['parse_mode']).toBeUndefined();
    const deliveries = await until(async () => {
      const d = (await client().get(`/api/v1/conversations/${conversationId}/deliveries`)).body.items;
      return d.length && d[0].status === 'sent' && d;
    });
    expect(deliveries[0]).toMatchObject({ messageId: reply.body.id, status: 'sent', attempts: 1, providerMessageIds: [expect.any(String)] });
    // Agents see the delivery progress live.
    for (const status of ['queued', 'sending', 'sent']) {
      const frame = await agent.next((f) => f.type === 'delivery.updated' && f.messageId === reply.body.id && f.status === status);
      expect(frame).toMatchObject({ conversationId, error: null });
    }

    // Private notes never leave the hub.
    await client().post(`/api/v1/conversations/${conversationId}/messages`, { body: 'internal: VIP', private: true });
    await sleep(300);
    expect(sentTexts()).not.toContain('internal: VIP');
  });

  it('stores one message for an update delivered twice', async () => {
    const u = textUpdate(user(7002, 'Bo'), 'only once please');
    await deliver(u);
    const first = await inbound((m) => m.body === 'only once please');
    await deliver(u);
    await deliver(textUpdate(user(7002, 'Bo'), 'and then this'));
    await inbound((m) => m.body === 'and then this');
    const bodies = (await messagesOf(first.message.conversationId)).map((m) => m.body);
    expect(bodies).toEqual(['only once please', 'and then this']);
  });

  it('round-trips a photo: inbound stored as an attachment, an outbound image sent with sendPhoto', async () => {
    const fileId = fake.addFile(JPEG);
    await deliver(photoUpdate(user(7003, 'Cy'), fileId, JPEG.length, 'the broken part'));
    const live = await inbound((m) => m.body === 'the broken part');
    expect(live.message.attachments).toEqual([expect.objectContaining({ contentType: 'image/jpeg', size: JPEG.length })]);
    const stored = await fetch(live.message.attachments[0].url.replace(/^https?:\/\/[^/]+/, server.url));
    expect(Buffer.from(await stored.arrayBuffer()).equals(JPEG)).toBe(true);

    const up = await fetch(`${server.url}/api/v1/attachments?name=label.png`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'image/png' }, body: PNG });
    expect(up.status).toBe(201);
    const attachment = (await up.json()) as { id: string };
    await client().post(`/api/v1/conversations/${live.message.conversationId}/messages`, { body: 'Here is your label', attachments: [attachment.id] });
    await fake.waitFor(() => fake.callsOf('sendPhoto', botToken).length === 1);
    const photo = fake.callsOf('sendPhoto', botToken)[0]!;
    expect(photo.params).toMatchObject({ chat_id: 7003, caption: 'Here is your label' });
    expect(photo.files['photo']?.bytes.equals(PNG), JSON.stringify({ params: photo.params, files: Object.keys(photo.files) })).toBe(true);
  });

  it('makes a group one conversation with a contact identity per member', async () => {
    const chat = groupChat(-4000000000 - (mode === 'webhook' ? 1 : 2), 'Acme buyers');
    const grace = user(7101, 'Grace');
    const alan = user(7102, 'Alan');
    await deliver(update({ message: message(grace, { text: 'group: hello' }, chat) }));
    const a = await inbound((m) => m.body === 'group: hello');
    await deliver(update({ message: message(alan, { text: 'group: me too' }, chat) }));
    const b = await inbound((m) => m.body === 'group: me too');
    expect(b.message.conversationId).toBe(a.message.conversationId);
    expect(a.message.sender.id).not.toBe(b.message.sender.id);
    const members = await Promise.all([a, b].map(async (x) => (await client().get(`/api/v1/contacts/${x.message.sender.id}`)).body));
    expect(members.map((c) => c.identities[0].externalId)).toEqual(['user:7101', 'user:7102']);
    const conv = (await client().get(`/api/v1/conversations/${a.message.conversationId}`)).body;
    expect((await client().get(`/api/v1/contacts/${conv.contactId}`)).body).toMatchObject({ name: 'Acme buyers', identities: [expect.objectContaining({ externalId: `chat:${chat.id}` })] });

    await client().post(`/api/v1/conversations/${a.message.conversationId}/messages`, { body: 'Hello both' });
    await fake.waitFor(() => fake.callsOf('sendMessage', botToken).some((c) => c.params['text'] === 'Hello both' && c.params['chat_id'] === chat.id));
  });

  it('waits out a 429 retry_after and then delivers exactly once; splits long texts at 4096', async () => {
    await deliver(textUpdate(user(7004, 'Di'), 'rate me'));
    const { message: m } = await inbound((x) => x.body === 'rate me');
    fake.failNext('sendMessage', { error_code: 429, description: 'Too Many Requests: retry after 1', retry_after: 1 });
    await client().post(`/api/v1/conversations/${m.conversationId}/messages`, { body: 'after the limit' });
    await fake.waitFor(() => fake.calls.filter((c) => c.params['text'] === 'after the limit').length === 2);
    const tries = fake.calls.filter((c) => c.params['text'] === 'after the limit');
    expect(tries[1]!.at - tries[0]!.at).toBeGreaterThanOrEqual(950);
    await sleep(500);
    expect(fake.calls.filter((c) => c.params['text'] === 'after the limit')).toHaveLength(2); // one refused + one accepted

    const long = `${'a'.repeat(4000)}\n${'b'.repeat(3000)}`;
    await client().post(`/api/v1/conversations/${m.conversationId}/messages`, { body: long });
    await fake.waitFor(() => sentTexts().includes('b'.repeat(3000)));
    expect(sentTexts()).toContain(`${'a'.repeat(4000)}\n`);
  });

  it('delivers after the Bot API was down for a while, nothing lost or doubled', async () => {
    await deliver(textUpdate(user(7005, 'Ed'), 'are you there?'));
    const { message: m } = await inbound((x) => x.body === 'are you there?');
    fake.goDown(2500);
    await client().post(`/api/v1/conversations/${m.conversationId}/messages`, { body: 'sent during the outage 1' });
    await client().post(`/api/v1/conversations/${m.conversationId}/messages`, { body: 'sent during the outage 2' });
    await fake.waitFor(() => sentTexts().includes('sent during the outage 2'), 20_000);
    await sleep(500);
    expect(sentTexts().filter((t) => String(t).startsWith('sent during the outage'))).toEqual(['sent during the outage 1', 'sent during the outage 2']);
  });

  it('marks a contact that blocked the bot unreachable and tells the agents privately', async () => {
    await deliver(textUpdate(user(7006, 'Flo'), 'bye'));
    const { message: m } = await inbound((x) => x.body === 'bye');
    fake.failNext('sendMessage', { error_code: 403, description: 'Forbidden: bot was blocked by the user' });
    await client().post(`/api/v1/conversations/${m.conversationId}/messages`, { body: 'are you still there?' });
    const note = await agent.next((f) => f.type === 'message.created' && f.message.conversationId === m.conversationId && f.message.sender.type === 'system', 10_000);
    expect(note.message).toMatchObject({ private: true, body: expect.stringContaining('blocked the bot') });
    const d = (await client().get(`/api/v1/conversations/${m.conversationId}/deliveries`)).body.items;
    expect(d[0]).toMatchObject({ status: 'unreachable' });
    const contact = (await client().get(`/api/v1/contacts/${m.sender.id}`)).body;
    expect(contact.attributes).toMatchObject({ unreachable: true });
  });

  if (mode === 'webhook') it('answers 401 to a missing or wrong secret token and stores nothing', async () => {
    const before = (await client().get('/api/v1/conversations?limit=200')).body.items.length;
    const u = textUpdate(user(7007, 'Mallory'), 'forged');
    expect(await fake.deliverWebhook(botToken, u, 'wrong-secret-wrong-secret')).toBe(401);
    expect(await fake.deliverWebhook(botToken, u, null)).toBe(401);
    const other = await fetch(`${server.url}/webhooks/telegram/nosuchinbox`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(u) });
    expect(other.status).toBe(404);
    await sleep(200);
    expect((await client().get('/api/v1/conversations?limit=200')).body.items.length).toBe(before);
    expect(agent.frames.some((f) => f.type === 'message.created' && f.message.body === 'forged')).toBe(false);
  });
});
