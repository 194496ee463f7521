import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, login } from '../helpers/api.js';
import { eventually, launchBrowser, startHostSite } from '../helpers/browser.js';
import { ROOT, startServer, type RunningServer } from '../helpers/server.js';

const SHOTS = path.join(ROOT, 'docs', 'screenshots');

/**
 * The visitor widget in a real browser on a customer's page (another origin than the hub),
 * against a real hub process, with an agent answering over the REST API.
 */
describe('visitor widget in Chromium', () => {
  let hub: RunningServer;
  let site: Awaited<ReturnType<typeof startHostSite>>;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let agent: ReturnType<typeof api>;
  let page: Page;
  let conversationId: string;
  const pageErrors: string[] = [];

  const hubEnv = { SESSION_RATE_PER_MINUTE: '1000', WS_HEARTBEAT_MS: '5000' };
  const log = () => page.getByRole('log');
  /** Message elements in the widget's log whose text contains `text`. */
  const messages = (text: string) => log().locator('[data-seq], [data-state]', { hasText: text });
  const agentReply = async (body: string) => {
    const r = await agent.post(`/api/v1/conversations/${conversationId}/messages`, { body });
    expect(r.status).toBe(201);
    return r.body;
  };

  beforeAll(async () => {
    hub = await startServer({ env: hubEnv });
    agent = api(hub.url, await login(hub.url, hub.adminEmail, hub.adminPassword));
    site = await startHostSite(hub.url, hub.websiteToken);
    browser = await launchBrowser();
    const context = await browser.browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(String(err)));
    fs.mkdirSync(SHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await hub?.stop();
  });

  it('a visitor opens the widget by its accessible name and talks to an agent', async () => {
    await page.goto(site.url);
    const launcher = page.getByRole('button', { name: 'Open chat' });
    await launcher.waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'widget-closed-desktop.png') });
    await launcher.click();

    const box = page.getByRole('textbox', { name: 'Type a message' });
    await box.fill('Hello, where is my order #1234?');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await messages('where is my order #1234?').and(page.locator('[data-state="sent"]')).waitFor();

    const conversation = await eventually(async () => {
      const list = await agent.get('/api/v1/conversations?status=open');
      return list.body.items[0] as { id: string; lastSeq: number } | undefined;
    }, 'the conversation to reach the agent');
    conversationId = conversation.id;
    const history = await agent.get(`/api/v1/conversations/${conversationId}/messages`);
    expect(history.body.items.map((m: { body: string }) => m.body)).toEqual(['Hello, where is my order #1234?']);

    await agentReply('It ships today. Tracking: https://track.example/1234');
    await messages('It ships today.').waitFor();
    const link = log().getByRole('link', { name: 'https://track.example/1234' });
    expect(await link.getAttribute('rel')).toContain('noopener');
    await page.screenshot({ path: path.join(SHOTS, 'widget-open-desktop.png'), animations: 'disabled' });
  });

  it('an agent’s HTML renders as text, never as markup', async () => {
    const payload = '<img src=x onerror="window.__sbXss=1"><b>bold</b>';
    await agentReply(payload);
    await messages('<img src=x onerror=').waitFor();
    expect(await messages(payload).first().innerText()).toContain(payload);
    // Nothing was injected: no <img src=x>, no <b>, and the handler never ran.
    expect(await log().locator('img[src="x"], b').count()).toBe(0);
    expect(await page.evaluate('window.__sbXss')).toBeUndefined();
  });

  it('the hub goes down while the agent replies; after reconnect every reply shows exactly once', async () => {
    await hub.stop();
    // Typed while offline: queued in the browser, sent once the hub is back.
    await page.getByRole('textbox', { name: 'Type a message' }).fill('Are you still there?');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await messages('Are you still there?').waitFor();

    hub = await startServer({ env: hubEnv, port: hub.port, dataDir: hub.dataDir });
    agent = api(hub.url, await login(hub.url, hub.adminEmail, hub.adminPassword));
    // Replies land while the widget is still backing off, so it can only learn of them by syncing.
    await agentReply('Reply one while you were away');
    await agentReply('Reply two while you were away');

    await messages('Reply two while you were away').waitFor({ timeout: 20_000 });
    await messages('Are you still there?').and(page.locator('[data-state="sent"]')).waitFor({ timeout: 20_000 });
    for (const text of ['Reply one while you were away', 'Reply two while you were away', 'Are you still there?', 'It ships today.']) {
      expect(await messages(text).count(), text).toBe(1);
    }
    const stored = await agent.get(`/api/v1/conversations/${conversationId}/messages?limit=50`);
    const bodies = stored.body.items.map((m: { body: string }) => m.body);
    expect(bodies.filter((b: string) => b === 'Are you still there?')).toHaveLength(1);
  });

  it('a page reload keeps the conversation', async () => {
    await page.reload();
    const launcher = page.getByRole('button', { name: /Open chat|Close chat/ });
    await launcher.waitFor();
    if ((await launcher.getAttribute('aria-label')) === 'Open chat') await launcher.click();
    for (const text of ['where is my order #1234?', 'It ships today.', 'Reply one while you were away', 'Reply two while you were away', 'Are you still there?']) {
      await messages(text).waitFor();
      expect(await messages(text).count(), text).toBe(1);
    }
    // Still the same conversation: a new message lands in it.
    await page.getByRole('textbox', { name: 'Type a message' }).fill('Thanks!');
    await page.keyboard.press('Enter');
    await eventually(async () => {
      const r = await agent.get(`/api/v1/conversations/${conversationId}/messages?limit=50`);
      return r.body.items.some((m: { body: string }) => m.body === 'Thanks!');
    }, 'the message after reload to land in the same conversation');
    expect(pageErrors).toEqual([]);
  });

  it('is usable on a phone: full-screen panel', async () => {
    const phone = await browser.browser.newContext({ viewport: { width: 375, height: 667 }, isMobile: true, hasTouch: true });
    const mobile = await phone.newPage();
    await mobile.goto(site.url);
    await mobile.getByRole('button', { name: 'Open chat' }).waitFor();
    await mobile.screenshot({ path: path.join(SHOTS, 'widget-closed-mobile.png') });
    await mobile.getByRole('button', { name: 'Open chat' }).click();
    const box = mobile.getByRole('textbox', { name: 'Type a message' });
    await box.waitFor();
    await mobile.getByRole('log').waitFor();
    // The panel is the log's dialog ancestor (or the outermost element of the shadow tree).
    type Box = { parentElement: Box | null; getAttribute(n: string): string | null; getBoundingClientRect(): { width: number; height: number } };
    const panel = await mobile.getByRole('log').evaluate((el: Box) => {
      let node = el;
      while (node.parentElement && node.getAttribute('role') !== 'dialog') node = node.parentElement;
      const r = node.getBoundingClientRect();
      return { width: r.width, height: r.height };
    });
    expect(panel.width).toBeGreaterThanOrEqual(370);
    expect(panel.height).toBeGreaterThanOrEqual(600);
    await mobile.screenshot({ path: path.join(SHOTS, 'widget-open-mobile.png'), animations: 'disabled' });
    await phone.close();
  });
});
