import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, login } from '../helpers/api.js';
import { createTestDatabase, type TestDatabase } from '../helpers/pg.js';
import { TestRedis } from '../helpers/redis.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { WsClient } from '../helpers/ws.js';
import { FakeTelegramBotApi } from '../fakes/telegram-bot-api.js';
import { textUpdate, user } from '../fakes/telegram-updates.js';

const PREFIX = 'sbsweep';
const SWEEP_MS = 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(fn: () => Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(50);
  }
}

/**
 * Deliveries whose queue entry is lost are found by the sweeper and sent once. A Redis of its
 * own (so the ACL trick below touches nobody else) and PostgreSQL; the queue entries are
 * removed from Redis by hand, the way a flush or a crash would lose them.
 */
describe('Telegram delivery sweeper (Redis + PostgreSQL)', () => {
  let fake: FakeTelegramBotApi;
  let redis: TestRedis;
  let rc: Redis;
  let pgdb: TestDatabase;
  let server: RunningServer;
  let token: string;
  let botToken: string;
  let agent: WsClient;
  const client = () => api(server.url, token);
  const callsWith = (text: string) => fake.callsOf('sendMessage', botToken).filter((c) => c.params['text'] === text);
  const deliveryOf = async (conversationId: string, messageId: string) =>
    ((await client().get(`/api/v1/conversations/${conversationId}/deliveries`)).body.items as any[]).find((d) => d.messageId === messageId);
  const customerConversation = async (id: number, text: string) => {
    fake.pushUpdate(botToken, textUpdate(user(id, `Customer ${id}`), text));
    const f = await agent.next((x) => x.type === 'message.created' && x.message.body === text, 10_000);
    return f.message.conversationId as string;
  };

  beforeAll(async () => {
    [fake, redis, pgdb] = await Promise.all([FakeTelegramBotApi.start(), TestRedis.start(), createTestDatabase()]);
    rc = new Redis(redis.url);
    botToken = fake.addBot();
    server = await startServer({
      databaseUrl: pgdb.url,
      env: { REDIS_URL: redis.url, REDIS_PREFIX: PREFIX, DELIVERY_SWEEP_MS: String(SWEEP_MS), CHANNEL_LEASE_MS: '3000', LOG_LEVEL: 'error' },
    });
    token = await login(server.url, server.adminEmail, server.adminPassword);
    agent = await WsClient.connect(server.wsUrl, token);
    expect((await client().post('/api/v1/inboxes', { name: 'Telegram', channel: 'telegram', settings: { botToken, apiRoot: fake.url } })).status).toBe(201);
  });

  afterAll(async () => {
    await agent?.close();
    expect(await server?.stop()).toBe(0);
    rc?.disconnect();
    await Promise.all([fake?.close(), redis?.stop(), pgdb?.drop()]);
  });

  it('sends a reply whose scheduled retry was lost, once, not before its due time; copies of the job send nothing', async () => {
    const conversationId = await customerConversation(8201, 'is anyone there?');
    fake.failNext('sendMessage', { error_code: 429, description: 'Too Many Requests: retry after 3', retry_after: 3 });
    const reply = await client().post(`/api/v1/conversations/${conversationId}/messages`, { body: 'lost retry, sent by the sweeper' });
    expect(reply.status).toBe(201);

    // The 429 put the retry in the delayed set for 3 s; take it out, as a Redis flush would.
    const delayedKey = `${PREFIX}:{q:deliveries}:delayed`;
    const entry = await until(async () => (await rc.zrange(delayedKey, '0', '-1')).find((m) => m.includes(reply.body.id)), 2500);
    const refusedAt = callsWith('lost retry, sent by the sweeper')[0]!.at;
    expect(await rc.zrem(delayedKey, entry)).toBe(1);
    expect(await deliveryOf(conversationId, reply.body.id)).toMatchObject({ status: 'retrying' });
    // A spare copy of the job that shows up now (say, claimed from a consumer thought dead) must
    // neither jump the rate limit nor count as the retry: it is dropped, and the sweeper sends.
    const [jobId, , enqueuedAt, ...json] = entry.split('|');
    const replay = () => rc.xadd(`${PREFIX}:{q:deliveries}:stream`, '*', 'j', jobId!, 'a', '1', 't', enqueuedAt!, 'p', json.join('|'));
    await replay();

    await fake.waitFor(() => callsWith('lost retry, sent by the sweeper').length === 2, 15_000);
    const tries = callsWith('lost retry, sent by the sweeper');
    expect(tries[1]!.at - refusedAt).toBeGreaterThanOrEqual(3000); // retry_after still honoured
    const sent = await until(async () => {
      const d = await deliveryOf(conversationId, reply.body.id);
      return d?.status === 'sent' && d;
    });
    expect(sent).toMatchObject({ attempts: 2, providerMessageIds: [expect.any(String)] });

    // The lost job turns up after all (a replayed backup, a stale node): it must not send again.
    await replay();
    await sleep(2 * SWEEP_MS + 500);
    expect(callsWith('lost retry, sent by the sweeper')).toHaveLength(2); // one refused, one accepted
    expect(await deliveryOf(conversationId, reply.body.id)).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('sends a reply whose enqueue failed after it was stored (queued, no job anywhere), exactly once', async () => {
    const conversationId = await customerConversation(8202, 'hello from 8202');
    // Redis refuses XADD for a moment: the reply and its delivery row are written, the job is not.
    await rc.call('ACL', 'SETUSER', 'default', '-xadd');
    let status: number;
    try {
      status = (await client().post(`/api/v1/conversations/${conversationId}/messages`, { body: 'never enqueued' })).status;
    } finally {
      await rc.call('ACL', 'SETUSER', 'default', '+xadd');
    }
    expect(status).toBeGreaterThanOrEqual(500); // the agent is told; the message is durable regardless
    const stored = ((await client().get(`/api/v1/conversations/${conversationId}/messages`)).body.items as any[]).find((m) => m.body === 'never enqueued');
    expect(stored).toBeDefined();
    expect(await deliveryOf(conversationId, stored.id)).toMatchObject({ status: 'queued', attempts: 0 });
    expect(await rc.xlen(`${PREFIX}:{q:deliveries}:stream`)).toBe(0);
    expect(callsWith('never enqueued')).toHaveLength(0);

    await fake.waitFor(() => callsWith('never enqueued').length === 1, 15_000);
    await until(async () => (await deliveryOf(conversationId, stored.id))?.status === 'sent');
    await sleep(2 * SWEEP_MS + 500);
    expect(callsWith('never enqueued')).toHaveLength(1);
    expect(await deliveryOf(conversationId, stored.id)).toMatchObject({ status: 'sent', attempts: 1 });
  });
});
