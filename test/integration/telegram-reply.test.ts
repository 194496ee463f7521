import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, login } from '../helpers/api.js';
import { createTestDatabase, type TestDatabase } from '../helpers/pg.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { WsClient } from '../helpers/ws.js';
import { FakeTelegramBotApi, type RecordedCall } from '../fakes/telegram-bot-api.js';
import { textUpdate, user } from '../fakes/telegram-updates.js';

const FAST = { CHANNEL_LEASE_MS: '3000', DELIVERY_BACKOFF_MS: '200', LOG_LEVEL: 'error' };
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

// Both databases: the reply seq and the provider's message id go through each one's group commit.
describe.each(['sqlite', 'postgres'] as const)('replies to a specific Telegram message (%s)', (db) => {
  let fake: FakeTelegramBotApi;
  let server: RunningServer;
  let pgdb: TestDatabase | undefined;
  let token: string;
  let botToken: string;
  let agent: WsClient;
  /** The customer's first message: its Telegram message_id and its conversation. */
  let customerMessageId: number;
  let conversationId: string;
  const client = () => api(server.url, token);
  const sendCall = (text: string): RecordedCall | undefined => fake.callsOf('sendMessage', botToken).find((c) => c.params['text'] === text);
  const inbound = (body: string) => agent.next((f) => f.type === 'message.created' && f.message.channel === 'telegram' && f.message.body === body, 10_000);
  const lastSeq = async (id: string) => (await client().get(`/api/v1/conversations/${id}`)).body.lastSeq as number;

  beforeAll(async () => {
    fake = await FakeTelegramBotApi.start();
    botToken = fake.addBot();
    if (db === 'postgres') pgdb = await createTestDatabase();
    server = await startServer({ ...(pgdb ? { databaseUrl: pgdb.url } : {}), env: FAST });
    token = await login(server.url, server.adminEmail, server.adminPassword);
    agent = await WsClient.connect(server.wsUrl, token);
    const inbox = await client().post('/api/v1/inboxes', { name: 'Telegram', channel: 'telegram', settings: { botToken, apiRoot: fake.url } });
    expect(inbox.status).toBe(201);

    const u = textUpdate(user(8101, 'Ada'), 'Where is my order #12?');
    customerMessageId = (u['message'] as { message_id: number }).message_id;
    fake.pushUpdate(botToken, u);
    conversationId = (await inbound('Where is my order #12?')).message.conversationId;
  });

  afterAll(async () => {
    await agent?.close();
    expect(await server?.stop()).toBe(0);
    await fake?.close();
    await pgdb?.drop();
  });

  it('sends a REST reply with reply_parameters naming the customer message, and stores replyToSeq', async () => {
    fake.pushUpdate(botToken, textUpdate(user(8101, 'Ada'), 'Hello?'));
    await inbound('Hello?');

    const reply = await client().post(`/api/v1/conversations/${conversationId}/messages`, { body: 'Order #12 ships today', replyToSeq: 1 });
    expect(reply.status).toBe(201);
    expect(reply.body).toMatchObject({ direction: 'outbound', replyToSeq: 1 });
    await fake.waitFor(() => Boolean(sendCall('Order #12 ships today')));
    expect(sendCall('Order #12 ships today')!.params).toMatchObject({
      chat_id: 8101,
      reply_parameters: { message_id: customerMessageId, allow_sending_without_reply: true },
    });

    // History carries it; messages that answer nothing keep their shape (no replyToSeq key).
    const items = (await client().get(`/api/v1/conversations/${conversationId}/messages`)).body.items as Record<string, unknown>[];
    expect(items.find((m) => m['seq'] === reply.body.seq)).toMatchObject({ replyToSeq: 1 });
    expect(items.filter((m) => m['seq'] !== reply.body.seq).every((m) => !('replyToSeq' in m))).toBe(true);

    const plain = await client().post(`/api/v1/conversations/${conversationId}/messages`, { body: 'No reply marker here' });
    expect(plain.body).not.toHaveProperty('replyToSeq');
    await fake.waitFor(() => Boolean(sendCall('No reply marker here')));
    expect(sendCall('No reply marker here')!.params['reply_parameters']).toBeUndefined();
  });

  it('sends a WebSocket reply to an earlier agent reply, naming the Telegram id it got', async () => {
    const first = await client().post(`/api/v1/conversations/${conversationId}/messages`, { body: 'Tracking code follows' });
    await fake.waitFor(() => Boolean(sendCall('Tracking code follows')));
    const delivered = await until(async () => {
      const items = (await client().get(`/api/v1/conversations/${conversationId}/deliveries`)).body.items as any[];
      const d = items.find((x) => x.messageId === first.body.id);
      return d?.status === 'sent' && d;
    });
    const ack = await agent.request(
      { type: 'message.send', clientId: 'reply-ws-1', conversationId, body: 'It is ZX123', replyToSeq: first.body.seq },
      (f) => (f.type === 'message.ack' || f.type === 'error') && f.clientId === 'reply-ws-1',
    );
    expect(ack).toMatchObject({ type: 'message.ack', message: { replyToSeq: first.body.seq } });
    await fake.waitFor(() => Boolean(sendCall('It is ZX123')));
    expect(sendCall('It is ZX123')!.params['reply_parameters']).toEqual({ message_id: Number(delivered.providerMessageIds[0]), allow_sending_without_reply: true });
  });

  it('refuses a replyToSeq that names no message of the conversation, stores and sends nothing', async () => {
    const before = await lastSeq(conversationId);
    const bad = async (body: Record<string, unknown>) => {
      const res = await client().post(`/api/v1/conversations/${conversationId}/messages`, { body: 'must not be sent', ...body });
      expect(res.status, JSON.stringify(res.body)).toBe(422);
      expect(res.body.error.code).toBe('SB_ERR_VALIDATION');
    };
    await bad({ replyToSeq: before + 50 });
    await bad({ replyToSeq: 0 });
    await bad({ replyToSeq: '1' });
    await bad({ replyToSeq: 1.5 });

    // A seq that exists only in another conversation.
    fake.pushUpdate(botToken, textUpdate(user(8102, 'Bo'), 'other chat'));
    const other = (await inbound('other chat')).message.conversationId;
    for (let i = 0; (await lastSeq(other)) <= before; i++) await client().post(`/api/v1/conversations/${other}/messages`, { body: `filler ${i}` });
    await bad({ replyToSeq: await lastSeq(other) });

    // A public reply cannot answer a private note; a private note can.
    const note = await client().post(`/api/v1/conversations/${conversationId}/messages`, { body: 'internal', private: true });
    await bad({ replyToSeq: note.body.seq });
    const privateReply = await client().post(`/api/v1/conversations/${conversationId}/messages`, { body: 'internal answer', private: true, replyToSeq: note.body.seq });
    expect(privateReply.status).toBe(201);
    expect(privateReply.body.replyToSeq).toBe(note.body.seq);

    const frame = await agent.request(
      { type: 'message.send', clientId: 'reply-ws-bad', conversationId, body: 'must not be sent', replyToSeq: 9999 },
      (f) => (f.type === 'message.ack' || f.type === 'error') && f.clientId === 'reply-ws-bad',
    );
    expect(frame).toMatchObject({ type: 'error', code: 'SB_ERR_VALIDATION' });

    const stored = (await client().get(`/api/v1/conversations/${conversationId}/messages?limit=200`)).body.items as { body: string }[];
    expect(stored.filter((m) => m.body === 'must not be sent')).toEqual([]);
    await sleep(300);
    expect(sendCall('must not be sent')).toBeUndefined();
  });
});
