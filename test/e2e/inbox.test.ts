import fs from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentRepo } from '../../server/agents/repo.js';
import { hashPassword } from '../../server/auth/passwords.js';
import { randomSecret } from '../../server/ids.js';
import { InboxRepo } from '../../server/inboxes/repo.js';
import { createDb } from '../../server/storage/db.js';
import { TenantRepo } from '../../server/tenants/repo.js';
import { api, login, visitorSession } from '../helpers/api.js';
import { eventually, launchBrowser } from '../helpers/browser.js';
import { ROOT, startServer, type RunningServer } from '../helpers/server.js';
import { WsClient } from '../helpers/ws.js';

const SHOTS = path.join(ROOT, 'docs', 'screenshots');

/**
 * The agent inbox in Chromium against a real hub: two agents in two browser contexts, a
 * visitor on a raw WebSocket, and a second tenant in the same database. Needs
 * `node inbox/build.mjs` first (npm test runs it).
 */
describe('agent inbox in Chromium', () => {
  let hub: RunningServer;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let admin: ReturnType<typeof api>;
  let ctxA: BrowserContext;
  let ctxB: BrowserContext;
  let ada: Page;
  let sam: Page;
  let samId: string;
  let visitor: WsClient;
  let conversationId: string;
  let tenantB: { conversationId: string; ws: WsClient };
  const pageErrors: string[] = [];
  const sockets: WsClient[] = [];

  const samEmail = 'sam@example.com';
  const samPassword = 'sam has a long password';

  const item = (page: Page, id: string) => page.getByRole('navigation', { name: 'Conversation list' }).locator(`li[data-conversation-id="${id}"]`);
  const inLog = (page: Page, text: string) => page.getByRole('log', { name: 'Messages' }).getByText(text, { exact: false });
  const visitorBodies = () => visitor.frames.filter((f) => f.type === 'message.created' || f.type === 'message.ack').map((f) => f.message.body as string);

  async function signIn(page: Page, email: string, password: string): Promise<void> {
    // Requests this page started and never finished, and its console, for the error if the app does not boot.
    const unfinished = new Set<string>();
    const track = (r: { url(): string }) => unfinished.add(r.url());
    const done = (r: { url(): string }) => unfinished.delete(r.url());
    const failed = (r: { url(): string; failure(): { errorText: string } | null }) => unfinished.add(`FAILED ${r.url()}: ${r.failure()?.errorText ?? ''}`);
    page.on('request', track);
    page.on('requestfinished', done);
    page.on('requestfailed', failed);
    const logged = (m: { type(): string; text(): string }) => unfinished.add(`console ${m.type()}: ${m.text()}`);
    page.on('console', logged);
    await page.goto(`${hub.url}/inbox/`);
    await page.getByLabel('Email').waitFor({ timeout: 20_000 }).catch(async (err) => {
      throw new Error(`${String(err)}\nunfinished requests and console: ${[...unfinished].join(', ') || 'none'}\n${await page.content()}\n${pageErrors.join('\n')}`);
    });
    page.off('request', track);
    page.off('requestfinished', done);
    page.off('requestfailed', failed);
    page.off('console', logged);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Conversation list' }).waitFor();
    await page.getByText('Live', { exact: true }).waitFor();
  }

  beforeAll(async () => {
    hub = await startServer({ env: { SESSION_RATE_PER_MINUTE: '1000' } });
    admin = api(hub.url, await login(hub.url, hub.adminEmail, hub.adminPassword));
    const created = await admin.post('/api/v1/agents', { email: samEmail, name: 'Sam', password: samPassword, role: 'agent' });
    expect(created.status).toBe(201);
    samId = created.body.id;

    // Tenant B shares the database, created through the repos as the CLI would.
    const db = createDb({ dataDir: hub.dataDir });
    let bToken: string;
    try {
      const tenant = await new TenantRepo(db).create('Tenant B');
      await new AgentRepo(db).create(tenant.id, { email: 'owner@b.example', name: 'B', role: 'admin', passwordHash: await hashPassword('tenant b password') });
      const inbox = await new InboxRepo(db).create(tenant.id, {
        name: 'B site',
        channel: 'web',
        settings: { allowedOrigins: [], requireIdentity: false, position: 'right' },
        secrets: {},
        websiteToken: randomSecret(18),
      });
      bToken = inbox.websiteToken!;
    } finally {
      await db.destroy();
    }
    const bSession = await visitorSession(hub.url, bToken);
    const bWs = await WsClient.connect(hub.wsUrl, bSession.token);
    sockets.push(bWs);
    const bAck = await bWs.request({ type: 'message.send', clientId: 'b1', body: 'tenant-b-secret order' }, (f) => f.type === 'message.ack');
    tenantB = { conversationId: bAck.message.conversationId, ws: bWs };

    browser = await launchBrowser();
    ctxA = await browser.browser.newContext({ viewport: { width: 1360, height: 820 } });
    ctxB = await browser.browser.newContext({ viewport: { width: 1360, height: 820 } });
    ada = await ctxA.newPage();
    sam = await ctxB.newPage();
    for (const p of [ada, sam]) {
      p.setDefaultTimeout(10_000);
      p.on('pageerror', (err) => pageErrors.push(String(err)));
    }
    fs.mkdirSync(SHOTS, { recursive: true });
  });

  afterAll(async () => {
    await Promise.all(sockets.map((s) => s.close()));
    await browser?.close();
    await hub?.stop();
  });

  it('1. an agent signs in, sees a new conversation arrive live, opens it and replies to the visitor', async () => {
    await signIn(ada, hub.adminEmail, hub.adminPassword);
    // The session is an HttpOnly cookie: nothing in storage, nothing readable by script.
    expect(await ada.evaluate<string>('JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage })')).not.toMatch(/ey[A-Za-z0-9_-]{10,}\./);
    expect(await ada.evaluate<string>('document.cookie')).not.toContain('sb_session');

    const session = await visitorSession(hub.url, hub.websiteToken);
    visitor = await WsClient.connect(hub.wsUrl, session.token);
    sockets.push(visitor);
    const ack = await visitor.request({ type: 'message.send', clientId: 'v1', body: 'Hi, my parcel #42 is late' }, (f) => f.type === 'message.ack');
    conversationId = ack.message.conversationId;

    const row = item(ada, conversationId);
    await row.waitFor();
    await expect.poll(() => row.innerText()).toContain('Hi, my parcel #42 is late');
    await row.getByRole('link').click();
    await inLog(ada, 'Hi, my parcel #42 is late').waitFor();
    expect(new URL(ada.url()).pathname).toBe(`/inbox/conversations/${conversationId}`);

    await ada.getByRole('textbox', { name: 'Message' }).fill('Sorry about that! It ships today.');
    await ada.keyboard.press('Enter');
    await visitor.next((f) => f.type === 'message.created' && f.message.body === 'Sorry about that! It ships today.');
    await ada.locator('[data-seq]', { hasText: 'It ships today.' }).getByText('Sent').waitFor();
  });

  it('2. a second agent sees the reply and an assignment change live, without reloading', async () => {
    await signIn(sam, samEmail, samPassword);
    await item(sam, conversationId).getByRole('link').click();
    await inLog(sam, 'It ships today.').waitFor();
    const navigations: string[] = [];
    sam.on('framenavigated', (f) => navigations.push(f.url()));

    // Ada assigns the conversation to Sam in her UI.
    await ada.getByLabel('Assignee', { exact: true }).selectOption({ label: 'Sam' });
    await eventually(async () => (await sam.getByLabel('Assignee', { exact: true }).inputValue()) === samId, 'the assignment to reach Sam');
    await expect.poll(() => item(sam, conversationId).innerText()).toContain('Assigned to Sam');

    // And a further reply from Ada shows up in Sam's timeline.
    await ada.getByRole('textbox', { name: 'Message' }).fill('Tracking number follows.');
    await ada.getByRole('button', { name: 'Send', exact: true }).click();
    await inLog(sam, 'Tracking number follows.').waitFor();
    expect(navigations).toEqual([]);
  });

  it('3. a private note reaches agents but never the visitor', async () => {
    await ada.getByRole('button', { name: 'Private note' }).click();
    await ada.getByRole('textbox', { name: 'Message' }).fill('NOTE: customer is a VIP, refund if needed');
    await ada.getByRole('button', { name: 'Add note' }).click();
    await ada.locator('[data-private="true"]', { hasText: 'customer is a VIP' }).waitFor();
    await sam.locator('[data-private="true"]', { hasText: 'customer is a VIP' }).waitFor();
    await ada.getByRole('button', { name: 'Reply', exact: true }).click();

    // A public message after the note: once the visitor has it, the note would have come first.
    await ada.getByRole('textbox', { name: 'Message' }).fill('Anything else?');
    await ada.keyboard.press('Enter');
    await visitor.next((f) => f.type === 'message.created' && f.message.body === 'Anything else?');
    expect(JSON.stringify(visitor.frames)).not.toContain('VIP');

    // What the visitor can sync holds exactly the public messages.
    const from = visitor.frames.length;
    visitor.send({ type: 'sync', conversationId, since: 0 });
    await visitor.next((f) => f.type === 'sync.done', 5000, from);
    const synced = visitor.frames.slice(from).filter((f) => f.type === 'message.created').map((f) => f.message.body);
    expect(synced).toEqual(['Hi, my parcel #42 is late', 'Sorry about that! It ships today.', 'Tracking number follows.', 'Anything else?']);
    expect(visitorBodies().some((b) => b.includes('VIP'))).toBe(false);
  });

  it('4. a resolved conversation leaves the open list and comes back when the customer writes again', async () => {
    await ada.screenshot({ path: path.join(SHOTS, 'inbox-conversation.png'), animations: 'disabled' });
    await ada.getByRole('button', { name: 'Resolve', exact: true }).click();
    await item(ada, conversationId).waitFor({ state: 'detached' });
    await item(sam, conversationId).waitFor({ state: 'detached' });
    await ada.getByRole('group', { name: 'Status filter' }).getByRole('button', { name: 'Resolved' }).click();
    await item(ada, conversationId).waitFor();
    await ada.getByRole('group', { name: 'Status filter' }).getByRole('button', { name: 'Open' }).click();
    await item(ada, conversationId).waitFor({ state: 'detached' });

    await visitor.request({ type: 'message.send', clientId: 'v2', conversationId, body: 'One more question' }, (f) => f.type === 'message.ack');
    await item(ada, conversationId).waitFor();
    await item(sam, conversationId).waitFor();
    await inLog(ada, 'One more question').waitFor();
  });

  it("5. tenant A's agent cannot load tenant B's conversation through the inbox's API calls", async () => {
    const conv = await ada.request.get(`${hub.url}/api/v1/conversations/${tenantB.conversationId}`);
    expect(conv.status()).toBe(404);
    const msgs = await ada.request.get(`${hub.url}/api/v1/conversations/${tenantB.conversationId}/messages`);
    expect(msgs.status()).toBe(404);
    expect(JSON.stringify(await msgs.json())).not.toContain('tenant-b-secret');
    for (const status of ['open', 'resolved']) {
      const list = await ada.request.get(`${hub.url}/api/v1/conversations?status=${status}`);
      expect(list.status()).toBe(200);
      expect(JSON.stringify(await list.json())).not.toContain(tenantB.conversationId);
    }
    // B's visitor writes again; A's list (and page) never shows it.
    await tenantB.ws.request({ type: 'message.send', clientId: 'b2', conversationId: tenantB.conversationId, body: 'tenant-b-secret again' }, (f) => f.type === 'message.ack');
    await ada.getByRole('group', { name: 'Assignee filter' }).getByRole('button', { name: 'All' }).click();
    await item(ada, conversationId).waitFor();
    expect(await ada.locator(`[data-conversation-id="${tenantB.conversationId}"]`).count()).toBe(0);
    expect(await ada.content()).not.toContain('tenant-b-secret');
    // A deep link to B's conversation shows an error, not B's data.
    const probe = await ctxA.newPage();
    await probe.goto(`${hub.url}/inbox/conversations/${tenantB.conversationId}`);
    await probe.getByRole('region', { name: 'Conversation' }).getByRole('alert').waitFor();
    expect(await probe.content()).not.toContain('tenant-b-secret');
    await probe.close();
  });

  it('the composer inserts canned responses with /, and the keyboard map works', async () => {
    expect((await admin.post('/api/v1/canned-responses', { shortCode: 'shipping', content: 'Orders ship within 24 hours.' })).status).toBe(201);
    await ada.goto(`${hub.url}/inbox/conversations/${conversationId}`);
    await inLog(ada, 'One more question').waitFor();
    const box = ada.getByRole('textbox', { name: 'Message' });
    await box.click();
    await box.pressSequentially('Hi! /ship');
    await ada.getByRole('listbox', { name: 'Canned responses' }).getByRole('option', { name: /shipping/ }).waitFor();
    await ada.keyboard.press('Tab');
    expect(await box.inputValue()).toBe('Hi! Orders ship within 24 hours.');
    await box.fill('');

    // Out of the text field: ? lists the shortcuts, n switches to a private note.
    await ada.getByRole('log', { name: 'Messages' }).click();
    await ada.keyboard.press('?');
    await ada.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
    await ada.keyboard.press('Escape');
    await ada.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor({ state: 'detached' });
    await ada.keyboard.press('n');
    await ada.getByRole('button', { name: 'Add note' }).waitFor();
    expect(await ada.getByRole('button', { name: 'Private note' }).getAttribute('aria-pressed')).toBe('true');
    await ada.getByRole('log', { name: 'Messages' }).click();
    await ada.keyboard.press('r');
    await ada.getByRole('button', { name: 'Send', exact: true }).waitFor();
  });

  it('6. screenshots of the list, a conversation and the admin screens', async () => {
    await ada.getByRole('navigation', { name: 'Conversation list' }).waitFor();
    await ada.screenshot({ path: path.join(SHOTS, 'inbox-list.png'), animations: 'disabled' });

    await ada.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).click();
    await ada.getByRole('heading', { name: 'Inboxes' }).waitFor();
    await ada.getByLabel('Inbox name').fill('Docs site');
    await ada.getByRole('button', { name: 'Create inbox' }).click();
    const card = ada.getByRole('listitem', { name: 'Inbox Docs site' });
    await card.waitFor();
    expect(await card.getByLabel('Widget snippet').inputValue()).toMatch(/^<script src="http:\/\/127\.0\.0\.1:\d+\/widget\.js" data-inbox="[^"]+" defer><\/script>$/);
    await ada.screenshot({ path: path.join(SHOTS, 'inbox-admin.png'), animations: 'disabled' });

    // An agent (not admin) gets no admin screens.
    expect(await sam.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});
