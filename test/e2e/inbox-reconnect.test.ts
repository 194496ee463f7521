import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, login, visitorSession } from '../helpers/api.js';
import { launchBrowser } from '../helpers/browser.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { WsClient } from '../helpers/ws.js';

/**
 * Chatwoot's open issue #14934: after a disconnect an agent must see what a colleague and the
 * customer wrote meanwhile before answering. The hub is stopped and restarted under an open inbox.
 */
describe('agent inbox after a disconnect', () => {
  let hub: RunningServer;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let page: Page;
  let conversationId: string;
  const sockets: WsClient[] = [];
  const env = { SESSION_RATE_PER_MINUTE: '1000' };
  const log = () => page.getByRole('log', { name: 'Messages' });
  const count = (text: string) => log().getByText(text, { exact: true }).count();

  beforeAll(async () => {
    hub = await startServer({ env });
    browser = await launchBrowser();
    page = await (await browser.browser.newContext({ viewport: { width: 1360, height: 820 } })).newPage();
    page.setDefaultTimeout(15_000);
  });

  afterAll(async () => {
    await Promise.all(sockets.map((s) => s.close()));
    await browser?.close();
    await hub?.stop();
  });

  it('re-syncs the open conversation and the list, showing each missed message exactly once', async () => {
    const session = await visitorSession(hub.url, hub.websiteToken);
    const visitor = await WsClient.connect(hub.wsUrl, session.token);
    sockets.push(visitor);
    const ack = await visitor.request({ type: 'message.send', clientId: 'r1', body: 'My order is missing a tent pole' }, (f) => f.type === 'message.ack');
    conversationId = ack.message.conversationId;

    await page.goto(`${hub.url}/inbox/`);
    await page.getByLabel('Email').fill(hub.adminEmail);
    await page.getByLabel('Password').fill(hub.adminPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const row = page.getByRole('navigation', { name: 'Conversation list' }).locator(`li[data-conversation-id="${conversationId}"]`);
    await row.getByRole('link').click();
    await log().getByText('My order is missing a tent pole').waitFor();
    await page.getByText('Live', { exact: true }).waitFor();

    // The hub goes away under the open inbox and comes back on the same port and database.
    await hub.stop();
    await page.getByText('Live', { exact: true }).waitFor({ state: 'hidden' });
    hub = await startServer({ env, port: hub.port, dataDir: hub.dataDir });
    // While the inbox is still reconnecting, a colleague answers and the customer writes again.
    const colleague = api(hub.url, await login(hub.url, hub.adminEmail, hub.adminPassword));
    expect((await colleague.post(`/api/v1/conversations/${conversationId}/messages`, { body: 'A colleague already answered: a pole ships today' })).status).toBe(201);
    const again = await visitorSession(hub.url, hub.websiteToken, { visitorId: session.visitorId });
    const visitor2 = await WsClient.connect(hub.wsUrl, again.token);
    sockets.push(visitor2);
    await visitor2.request({ type: 'message.send', clientId: 'r2', conversationId, body: 'Thanks, and the stakes?' }, (f) => f.type === 'message.ack');

    await page.getByText('Live', { exact: true }).waitFor({ timeout: 20_000 });
    await log().getByText('A colleague already answered: a pole ships today').waitFor({ timeout: 20_000 });
    await log().getByText('Thanks, and the stakes?').waitFor({ timeout: 20_000 });
    expect(await count('A colleague already answered: a pole ships today')).toBe(1);
    expect(await count('Thanks, and the stakes?')).toBe(1);
    expect(await count('My order is missing a tent pole')).toBe(1);
    // The list row caught up too.
    await expect.poll(() => row.innerText(), { timeout: 10_000 }).toContain('Thanks, and the stakes?');
  });
});
