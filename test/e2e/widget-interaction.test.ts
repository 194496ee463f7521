import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, login } from '../helpers/api.js';
import { eventually, launchBrowser, startHostSite } from '../helpers/browser.js';
import { freePort } from '../helpers/redis.js';
import { startServer, type RunningServer } from '../helpers/server.js';

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

/** Keyboard-only use, the host page's JavaScript API, uploads and locales, in Chromium. */
describe('visitor widget: keyboard, JS API, files, locale', () => {
  let hub: RunningServer;
  let site: Awaited<ReturnType<typeof startHostSite>>;
  let zhSite: Awaited<ReturnType<typeof startHostSite>>;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let agent: ReturnType<typeof api>;

  const freshPage = async (url: string): Promise<Page> => {
    const context = await browser.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(url);
    await page.getByRole('button', { name: /Open chat|打开聊天/ }).waitFor();
    return page;
  };
  /** The agent's view of the newest conversation and its messages. */
  const latestConversation = () =>
    eventually(async () => {
      const list = await agent.get('/api/v1/conversations');
      return list.body.items[0] as { id: string } | undefined;
    }, 'a conversation');

  beforeAll(async () => {
    // PUBLIC_URL is what file links are built on; the widget shows images from its hub only.
    const port = await freePort();
    hub = await startServer({ port, env: { SESSION_RATE_PER_MINUTE: '1000', PUBLIC_URL: `http://127.0.0.1:${port}` } });
    agent = api(hub.url, await login(hub.url, hub.adminEmail, hub.adminPassword));
    site = await startHostSite(hub.url, hub.websiteToken);
    // A Chinese page: the widget follows <html lang>.
    zhSite = await startHostSite(hub.url, hub.websiteToken, '<script>document.documentElement.lang = "zh-CN"</script>');
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await zhSite?.close();
    await hub?.stop();
  });

  it('works with the keyboard alone: Tab to the launcher, type, Enter sends, Escape closes and returns focus', async () => {
    const page = await freshPage(site.url);
    const launcher = page.getByRole('button', { name: 'Open chat' });
    // Tab until the launcher has focus (the host page has no other focusable element).
    await eventually(async () => {
      await page.keyboard.press('Tab');
      return launcher.evaluate((el: { getRootNode(): { activeElement: unknown } }) => el.getRootNode().activeElement === el);
    }, 'the launcher to take focus', 5000);
    await page.keyboard.press('Enter');
    const box = page.getByRole('textbox', { name: 'Type a message' });
    await eventually(() => box.evaluate((el: { getRootNode(): { activeElement: unknown } }) => el.getRootNode().activeElement === el), 'focus in the message box');
    await page.keyboard.type('Typed without a mouse');
    await page.keyboard.down('Shift');
    await page.keyboard.press('Enter');
    await page.keyboard.up('Shift');
    await page.keyboard.type('second line');
    await page.keyboard.press('Enter');
    const conversation = await latestConversation();
    const stored = await eventually(async () => {
      const r = await agent.get(`/api/v1/conversations/${conversation.id}/messages`);
      return r.body.items[0] as { body: string } | undefined;
    }, 'the message');
    expect(stored.body).toBe('Typed without a mouse\nsecond line');

    await page.keyboard.press('Escape');
    const closed = page.getByRole('button', { name: 'Open chat' });
    await closed.waitFor();
    expect(await closed.getAttribute('aria-expanded')).toBe('false');
    expect(await closed.evaluate((el: { getRootNode(): { activeElement: unknown } }) => el.getRootNode().activeElement === el)).toBe(true);
    await page.context().close();
  });

  it('the host page drives it through window.Switchboard and hears ready, message and unread', async () => {
    const page = await freshPage(site.url);
    await page.evaluate(`(() => {
      window.__sbEvents = [];
      for (const e of ['ready', 'message', 'unread']) Switchboard.on(e, (p) => window.__sbEvents.push([e, e === 'message' ? p.body : p]));
      Switchboard.setAttributes({ plan: 'gold' });
      Switchboard.open();
    })()`);
    const box = page.getByRole('textbox', { name: 'Type a message' });
    await box.fill('Hello from the API test');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await page.getByRole('log').locator('[data-state="sent"]').first().waitFor();
    const events = () => page.evaluate('window.__sbEvents') as Promise<[string, unknown][]>;
    expect((await events()).some(([e]) => e === 'ready')).toBe(true);

    const conversation = await latestConversation();
    const contactId = (await agent.get(`/api/v1/conversations/${conversation.id}`)).body.contactId;
    await eventually(async () => (await agent.get(`/api/v1/contacts/${contactId}`)).body.attributes?.plan === 'gold', 'setAttributes to reach the contact');

    await page.evaluate('Switchboard.close()');
    await page.getByRole('button', { name: 'Open chat' }).waitFor();
    await agent.post(`/api/v1/conversations/${conversation.id}/messages`, { body: 'A reply while closed' });
    await eventually(async () => (await events()).some(([e, p]) => e === 'message' && p === 'A reply while closed'), 'the message event');
    await eventually(async () => (await events()).some(([e, p]) => e === 'unread' && p === 1), 'an unread count of 1');
    // The launcher tells sighted and screen-reader users alike.
    const launcherText = await page.getByRole('button', { name: 'Open chat' }).innerText();
    expect(launcherText).toContain('1');

    await page.evaluate('Switchboard.toggle()');
    await page.getByRole('log').getByText('A reply while closed').waitFor();
    await eventually(async () => (await events()).some(([e, p]) => e === 'unread' && p === 0), 'unread back to 0 once seen');

    // reset() (logout) forgets the visitor: the next session is someone new.
    await page.evaluate('Switchboard.reset()');
    await page.reload();
    await page.getByRole('button', { name: 'Open chat' }).click();
    await page.getByRole('textbox', { name: 'Type a message' }).waitFor();
    expect(await page.getByRole('log').getByText('A reply while closed').count()).toBe(0);
    await page.context().close();
  });

  it('uploads an image; the agent gets it on the message', async () => {
    const page = await freshPage(site.url);
    const wsLog: string[] = [];
    page.on('websocket', (ws) => {
      ws.on('framereceived', (f) => wsLog.push(`< ${String(f.payload).slice(0, 300)}`));
      ws.on('framesent', (f) => wsLog.push(`> ${String(f.payload).slice(0, 300)}`));
    });
    await page.getByRole('button', { name: 'Open chat' }).click();
    await page.locator('input[type="file"]').setInputFiles({ name: 'receipt.png', mimeType: 'image/png', buffer: PNG });
    await page.getByText('receipt.png').first().waitFor();
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await page.getByRole('log').locator('img[alt="receipt.png"]').waitFor();
    // The thumbnail shows before the server's ack; look for the stored message itself.
    const message = await eventually(async () => {
      const list = await agent.get('/api/v1/conversations?limit=5');
      for (const c of list.body.items as { id: string }[]) {
        const r = await agent.get(`/api/v1/conversations/${c.id}/messages`);
        const found = r.body.items.find((m: { attachments: unknown[] }) => m.attachments.length > 0);
        if (found) return found as { attachments: { name: string; contentType: string; url: string }[] };
      }
      return undefined;
    }, 'the message with the file').catch(async (err) => {
      const states = await page.getByRole('log').locator('[data-state]').evaluateAll((els: { getAttribute(n: string): string | null; textContent: string | null }[]) =>
        els.map((e) => `${e.getAttribute('data-state')}:${e.getAttribute('data-seq')}:${e.textContent}`),
      );
      console.log('DEBUG states', states, wsLog.join('\n'));
      throw err;
    });
    expect(message.attachments[0]).toMatchObject({ name: 'receipt.png', contentType: 'image/png' });
    const file = await fetch(`${hub.url}${new URL(message.attachments[0]!.url).pathname}`);
    expect(Buffer.from(await file.arrayBuffer())).toEqual(PNG);

    // A type the server refuses shows an error instead of a broken message.
    await page.locator('input[type="file"]').setInputFiles({ name: 'page.html', mimeType: 'text/html', buffer: Buffer.from('<h1>x</h1>') });
    await page.getByRole('alert').waitFor();
    await page.context().close();
  });

  it('speaks Chinese on a zh-CN page', async () => {
    const page = await freshPage(zhSite.url);
    await page.getByRole('button', { name: '打开聊天' }).click();
    const box = page.locator('textarea');
    await box.waitFor();
    const label = await box.getAttribute('aria-label');
    expect(label).not.toBe('Type a message');
    expect(label).toMatch(/[\u4e00-\u9fff]/);
    await page.context().close();
  });
});
