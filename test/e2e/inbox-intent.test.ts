import fs from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, login, visitorSession } from '../helpers/api.js';
import { launchBrowser } from '../helpers/browser.js';
import { ROOT, startServer, type RunningServer } from '../helpers/server.js';
import { WsClient } from '../helpers/ws.js';

const SHOTS = path.join(ROOT, 'docs', 'screenshots');

/**
 * Intent in the agent inbox, in Chromium against a real hub with the shipped default model: an
 * admin writes a routing rule and the triage settings in the Routing admin screen; customers
 * write over the widget WebSocket; an agent corrects an unclear intent from the conversation
 * header and the conversation leaves Triage for everyone. Needs `node inbox/build.mjs` first.
 */
describe('intent and routing in the agent inbox', () => {
  let hub: RunningServer;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let admin: ReturnType<typeof api>;
  let ctxA: BrowserContext;
  let ctxB: BrowserContext;
  let ada: Page;
  let sam: Page;
  let fulfilmentId: string;
  let triageTeamId: string;
  let orderId: string;
  let gibberishId: string;
  const pageErrors: string[] = [];
  const sockets: WsClient[] = [];

  const samEmail = 'sam@example.com';
  const samPassword = 'sam has a long password';

  const list = (page: Page) => page.getByRole('navigation', { name: 'Conversation list' });
  const item = (page: Page, id: string) => list(page).locator(`li[data-conversation-id="${id}"]`);
  const convo = (page: Page) => page.getByRole('region', { name: 'Conversation', exact: true });
  const triageView = (page: Page) => page.getByRole('region', { name: 'Conversations' }).getByRole('button', { name: 'Triage', exact: true });

  async function signIn(page: Page, email: string, password: string): Promise<void> {
    await page.goto(`${hub.url}/inbox/`);
    // Generous: the first load can be slow while other suites load the machine.
    await page.getByLabel('Email').waitFor({ timeout: 30_000 }).catch(async (err) => {
      throw new Error(`${String(err)}\n${await page.content()}\n${pageErrors.join('\n')}`);
    });
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await list(page).waitFor();
    await page.getByText('Live', { exact: true }).waitFor();
  }

  /** A new visitor's first message; resolves to its conversation id. */
  async function customerSays(body: string): Promise<string> {
    const session = await visitorSession(hub.url, hub.websiteToken);
    const ws = await WsClient.connect(hub.wsUrl, session.token);
    sockets.push(ws);
    const ack = await ws.request({ type: 'message.send', clientId: `c-${sockets.length}`, body }, (f) => f.type === 'message.ack');
    return ack.message.conversationId;
  }

  beforeAll(async () => {
    hub = await startServer({ env: { SESSION_RATE_PER_MINUTE: '1000' } });
    admin = api(hub.url, await login(hub.url, hub.adminEmail, hub.adminPassword));
    fulfilmentId = (await admin.post('/api/v1/teams', { name: 'Fulfilment' })).body.id;
    triageTeamId = (await admin.post('/api/v1/teams', { name: 'Triage desk' })).body.id;
    expect((await admin.post('/api/v1/agents', { email: samEmail, name: 'Sam', password: samPassword, role: 'agent' })).status).toBe(201);

    browser = await launchBrowser();
    ctxA = await browser.browser.newContext({ viewport: { width: 1360, height: 820 } });
    ctxB = await browser.browser.newContext({ viewport: { width: 1360, height: 820 } });
    ada = await ctxA.newPage();
    sam = await ctxB.newPage();
    for (const p of [ada, sam]) {
      p.setDefaultTimeout(15_000);
      p.on('pageerror', (err) => pageErrors.push(String(err)));
    }
    fs.mkdirSync(SHOTS, { recursive: true });
  });

  afterAll(async () => {
    await Promise.all(sockets.map((s) => s.close()));
    await browser?.close();
    await hub?.stop();
  });

  it('an admin adds and deletes routing rules, sets triage, and sees the intent models', async () => {
    await signIn(ada, hub.adminEmail, hub.adminPassword);
    await ada.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).click();
    await ada.getByRole('navigation', { name: 'Admin sections' }).getByRole('link', { name: 'Routing' }).click();
    await ada.getByRole('heading', { name: 'Routing', exact: true }).waitFor();
    expect(new URL(ada.url()).pathname).toBe('/inbox/admin/routing');

    const form = ada.getByRole('form', { name: 'New routing rule' });
    const rules = ada.getByRole('table', { name: 'Routing rules' });
    // The form says what is missing before the server is asked.
    await form.getByLabel('Intent').selectOption('order_status');
    await form.getByRole('button', { name: 'Add rule' }).click();
    await form.getByRole('alert').getByText('A rule needs a team, an assignee or a priority.').waitFor();

    await form.getByLabel('Team', { exact: true }).selectOption({ label: 'Fulfilment' });
    await form.getByLabel('Priority').selectOption('high');
    await form.getByRole('button', { name: 'Add rule' }).click();
    await rules.getByRole('row', { name: /order_status .*team Fulfilment · priority high/ }).waitFor();

    // A second rule, then its delete button.
    await form.getByLabel('Intent').selectOption('refund');
    await form.getByLabel('Priority').selectOption('low');
    await form.getByLabel('Minimum confidence (%, optional)').fill('80');
    await form.getByRole('button', { name: 'Add rule' }).click();
    await rules.getByRole('row', { name: /refund 80% priority low/ }).waitFor();
    await rules.getByRole('button', { name: 'Delete rule refund' }).click();
    await rules.getByRole('row', { name: /refund/ }).waitFor({ state: 'detached' });

    const stored = (await admin.get('/api/v1/intent/rules')).body.items;
    expect(stored).toEqual([expect.objectContaining({ intent: 'order_status', teamId: fulfilmentId, priority: 'high', minConfidence: null, assigneeId: null })]);

    const triage = ada.getByRole('form', { name: 'Triage settings' });
    await triage.getByLabel('Triage threshold (%)').fill('50');
    await triage.getByLabel('Triage team').selectOption({ label: 'Triage desk' });
    await triage.getByRole('button', { name: 'Save triage settings' }).click();
    await triage.getByRole('status').getByText('Saved.').waitFor();
    expect((await admin.get('/api/v1/intent/settings')).body).toEqual({ triageThreshold: 0.5, triageTeamId });

    const shipped = ada.getByRole('table', { name: 'Intent models' }).locator('tr[data-model-id="default"]');
    await expect.poll(() => shipped.innerText()).toMatch(/Shipped default model.*active/s);
    await ada.screenshot({ path: path.join(SHOTS, 'inbox-routing.png'), animations: 'disabled' });
  });

  it('"where is my order #123" arrives with the order_status chip and is routed to the team', async () => {
    await ada.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Conversations' }).click();
    await list(ada).waitFor();
    orderId = await customerSays('where is my order #123');

    const row = item(ada, orderId);
    await row.waitFor();
    // Classification runs after the ack; the live update brings the chip and the team.
    await expect.poll(() => row.innerText(), { timeout: 15_000 }).toMatch(/order_status · \d+%/);
    expect(await row.innerText()).toContain('Fulfilment');
    expect(await row.innerText()).not.toContain('Needs triage');

    await row.getByRole('link').click();
    const chip = convo(ada).getByRole('button', { name: /^Intent: order_status · \d+%$/ });
    await chip.waitFor();
    expect(await convo(ada).getByLabel('Team', { exact: true }).inputValue()).toBe(fulfilmentId);
    expect(await convo(ada).getByLabel('Priority', { exact: true }).inputValue()).toBe('high');
    expect(await convo(ada).getByText('Needs triage').count()).toBe(0);
  });

  it('gibberish waits under Triage with the badge; an agent corrects it and it leaves Triage for everyone', async () => {
    await triageView(ada).click();
    expect(await triageView(ada).getAttribute('aria-pressed')).toBe('true');
    await item(ada, orderId).waitFor({ state: 'detached' });

    gibberishId = await customerSays('asdf qwerty zxcv');
    // It enters the Triage view live once the model has been unsure about it.
    await item(ada, gibberishId).getByText('Needs triage').waitFor();
    const inTriage = (await admin.get('/api/v1/conversations?triage=true')).body.items;
    expect(inTriage.map((c: { id: string }) => c.id)).toEqual([gibberishId]);
    expect(inTriage[0]).toMatchObject({ intent: null, teamId: triageTeamId });

    // Sam, an agent, picks it up from his own Triage view.
    await signIn(sam, samEmail, samPassword);
    await triageView(sam).click();
    await item(sam, gibberishId).getByRole('link').click();
    await convo(sam).getByText('Needs triage').waitFor();
    const chip = convo(sam).getByRole('button', { name: 'Intent: No intent' });
    const picker = convo(sam).getByRole('combobox', { name: 'Intent', exact: true });
    // The picker takes focus when it opens; Escape closes it and gives focus back to the chip.
    await chip.click();
    expect(await chip.getAttribute('aria-expanded')).toBe('true');
    await picker.and(sam.locator(':focus')).waitFor();
    await sam.keyboard.press('Escape');
    await picker.waitFor({ state: 'detached' });
    await chip.and(sam.locator(':focus')).waitFor();
    expect(await chip.getAttribute('aria-expanded')).toBe('false');
    await chip.click();
    await picker.and(sam.locator(':focus')).waitFor();
    expect(await picker.locator('option:not([disabled])').allTextContents()).toContain('order_status');
    await picker.selectOption('order_status');
    await sam.screenshot({ path: path.join(SHOTS, 'inbox-intent.png'), animations: 'disabled' });

    // The network fails once: the picker stays open and says so.
    const endpoint = `${hub.url}/api/v1/conversations/${gibberishId}/intent`;
    await sam.route(endpoint, (route) => route.abort('connectionfailed'));
    await convo(sam).getByRole('button', { name: 'Save intent' }).click();
    await convo(sam).getByRole('alert').getByText('The server cannot be reached.').waitFor();
    await sam.unroute(endpoint);

    await convo(sam).getByRole('button', { name: 'Save intent' }).click();
    await convo(sam).getByRole('button', { name: 'Intent: order_status · set by agent' }).waitFor();
    // The live conversation update can relabel the chip a moment before the save's own response
    // closes the picker, so wait for both rather than expect them in one instant.
    await picker.waitFor({ state: 'detached' });
    await convo(sam).getByText('Needs triage').waitFor({ state: 'detached' });
    // Out of triage, and routed by the order_status rule (the triage team had it, not a rule).
    await expect.poll(() => convo(sam).getByLabel('Team', { exact: true }).inputValue()).toBe(fulfilmentId);
    await item(sam, gibberishId).waitFor({ state: 'detached' });
    // Ada's Triage view drops it live.
    await item(ada, gibberishId).waitFor({ state: 'detached' });
    expect((await admin.get('/api/v1/conversations?triage=true')).body.items).toEqual([]);

    // Back in the full list it carries the agent's label.
    await triageView(ada).click();
    await expect.poll(() => item(ada, gibberishId).innerText()).toContain('order_status · set by agent');
    expect(pageErrors).toEqual([]);
  });
});
