import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, login, visitorSession } from '../helpers/api.js';
import { launchBrowser } from '../helpers/browser.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { WsClient } from '../helpers/ws.js';

/**
 * Answering a specific message and editing routing rules in the agent inbox, in Chromium against
 * a real hub: a visitor writes twice over the widget WebSocket, an agent answers the first
 * message with "Reply to this message" (the stored reply carries `replyToSeq`, the timeline
 * quotes the original), a private note is answered with a note; an admin changes a rule's
 * priority and order in the Routing screen. Needs `node inbox/build.mjs` first.
 */
describe('replies to a message and rule editing in the agent inbox', () => {
  let hub: RunningServer;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let admin: ReturnType<typeof api>;
  let page: Page;
  let visitor: WsClient;
  let conversationId: string;
  let firstSeq: number;
  let fulfilmentId: string;
  const pageErrors: string[] = [];

  const log = () => page.getByRole('log', { name: 'Messages' });
  const bubble = (seq: number) => log().locator(`.msg[data-seq="${seq}"]`);
  const box = () => page.getByRole('textbox', { name: 'Message' });
  const replying = () => page.locator('.composer .replying');
  const stored = async () => (await admin.get(`/api/v1/conversations/${conversationId}/messages?limit=50`)).body.items as { seq: number; body: string; private: boolean; replyToSeq?: number }[];
  // Through the element's own document: this test compiles without the DOM lib.
  const isFocused = (l: Locator) => l.evaluate((el) => el === el.ownerDocument.activeElement);
  const opacity = (l: Locator) => l.evaluate((el) => el.ownerDocument.defaultView?.getComputedStyle(el).opacity);

  beforeAll(async () => {
    hub = await startServer({ env: { SESSION_RATE_PER_MINUTE: '1000' } });
    admin = api(hub.url, await login(hub.url, hub.adminEmail, hub.adminPassword));
    fulfilmentId = (await admin.post('/api/v1/teams', { name: 'Fulfilment' })).body.id;
    browser = await launchBrowser();
    const ctx = await browser.browser.newContext({ viewport: { width: 1360, height: 820 } });
    page = await ctx.newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (err) => pageErrors.push(String(err)));
  });

  afterAll(async () => {
    await visitor?.close();
    await browser?.close();
    await hub?.stop();
  });

  it('an agent answers the first of two customer messages: the reply stores replyToSeq and shows a quote', async () => {
    const session = await visitorSession(hub.url, hub.websiteToken);
    visitor = await WsClient.connect(hub.wsUrl, session.token);
    const first = await visitor.request({ type: 'message.send', clientId: 'v1', body: 'Where is my order #123?\nIt was due Monday.' }, (f) => f.type === 'message.ack');
    conversationId = first.message.conversationId;
    firstSeq = first.message.seq;
    const second = await visitor.request({ type: 'message.send', clientId: 'v2', conversationId, body: 'Also, can I change the address?' }, (f) => f.type === 'message.ack');
    expect(second.message.seq).toBeGreaterThan(firstSeq);
    const customer = ((await stored()).find((m) => m.seq === firstSeq) as unknown as { sender: { name: string | null } }).sender.name ?? 'Customer';

    await page.goto(`${hub.url}/inbox/`);
    // Generous: the first load can be slow while other suites load the machine.
    await page.getByLabel('Email').waitFor({ timeout: 30_000 }).catch(async (err) => {
      throw new Error(`${String(err)}\n${await page.content()}\n${pageErrors.join('\n')}`);
    });
    await page.getByLabel('Email').fill(hub.adminEmail);
    await page.getByLabel('Password').fill(hub.adminPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Live', { exact: true }).waitFor();

    // The intent filter offers every label the model knows, not only intents seen so far.
    const labels = (await admin.get('/api/v1/intent/labels')).body.items as string[];
    const filter = page.getByRole('combobox', { name: 'Filter by intent' });
    await expect.poll(async () => (await filter.locator('option').allTextContents()).length, { timeout: 10_000 }).toBeGreaterThan(labels.length);
    expect(await filter.locator('option').allTextContents()).toEqual(expect.arrayContaining(labels));

    await page.getByRole('navigation', { name: 'Conversation list' }).locator(`li[data-conversation-id="${conversationId}"]`).getByRole('link').click();
    await bubble(second.message.seq).waitFor();

    // The action shows on hover; Esc in the composer cancels the reply target.
    const replyButton = bubble(firstSeq).getByRole('button', { name: 'Reply to this message' });
    await bubble(firstSeq).hover();
    await expect.poll(() => opacity(replyButton)).toBe('1');
    await replyButton.click();
    await expect.poll(() => replying().locator('.replying-text').innerText()).toBe(`Replying to: ${customer} Where is my order #123?`);
    expect(await isFocused(box())).toBe(true);
    await page.keyboard.press('Escape');
    await replying().waitFor({ state: 'detached' });

    // It is reachable from the keyboard too, and "Cancel reply" is a button.
    await replyButton.focus();
    await expect.poll(() => opacity(replyButton)).toBe('1');
    await page.keyboard.press('Enter');
    await replying().waitFor();
    await replying().getByRole('button', { name: 'Cancel reply' }).click();
    await replying().waitFor({ state: 'detached' });
    await replyButton.click();

    await box().fill('It ships today.');
    await page.keyboard.press('Enter');
    await replying().waitFor({ state: 'detached' });
    const reply = log().locator('.msg[data-seq]', { hasText: 'It ships today.' });
    await reply.waitFor();
    expect(await reply.getAttribute('data-reply-to')).toBe(String(firstSeq));

    const saved = (await stored()).find((m) => m.body === 'It ships today.');
    expect(saved).toMatchObject({ private: false, replyToSeq: firstSeq });
    const toVisitor = await visitor.next((f) => f.type === 'message.created' && f.message.body === 'It ships today.');
    expect(toVisitor.message.replyToSeq).toBe(firstSeq);

    // The quote names the sender and the first line, and leads back to the original.
    const quote = reply.getByRole('button', { name: `In reply to ${customer}: Where is my order #123?` });
    await quote.click();
    await expect.poll(() => isFocused(bubble(firstSeq))).toBe(true);
    expect(pageErrors).toEqual([]);
  }, 60_000);

  it('a private note is answered with a note; a public reply to it is not offered', async () => {
    await page.getByRole('button', { name: 'Private note', exact: true }).click();
    await box().fill('VIP: refund if needed');
    await page.keyboard.press('Enter');
    const note = log().locator('.msg[data-private="true"][data-seq]', { hasText: 'VIP: refund if needed' });
    await note.waitFor();
    const noteSeq = Number(await note.getAttribute('data-seq'));
    await page.getByRole('button', { name: 'Reply', exact: true }).click();

    // Choosing the note switches the composer to notes; back in Reply mode sending is off, and says why.
    await note.getByRole('button', { name: 'Reply to this message' }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Private note', exact: true }).getAttribute('aria-pressed')).toBe('true');
    await page.getByRole('button', { name: 'Reply', exact: true }).click();
    await replying().getByRole('alert').getByText('A private note can only be answered with a private note').waitFor();
    expect(await page.getByRole('button', { name: 'Send', exact: true }).isDisabled()).toBe(true);

    await page.getByRole('button', { name: 'Private note', exact: true }).click();
    await box().fill('Agreed, approved.');
    await page.getByRole('button', { name: 'Add note' }).click();
    const answer = log().locator('.msg[data-seq]', { hasText: 'Agreed, approved.' });
    await answer.getByRole('button', { name: 'In reply to You: VIP: refund if needed' }).waitFor();
    expect((await stored()).find((m) => m.body === 'Agreed, approved.')).toMatchObject({ private: true, replyToSeq: noteSeq });
    expect(pageErrors).toEqual([]);
  });

  it('an admin edits a rule inline and moves it up in the Routing screen', async () => {
    expect((await admin.post('/api/v1/intent/rules', { intent: 'order_status', teamId: fulfilmentId, priority: 'high' })).status).toBe(201);
    expect((await admin.post('/api/v1/intent/rules', { intent: 'refund', priority: 'low' })).status).toBe(201);

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).click();
    await page.getByRole('navigation', { name: 'Admin sections' }).getByRole('link', { name: 'Routing' }).click();
    const rules = page.getByRole('table', { name: 'Routing rules' });
    await rules.getByRole('row', { name: /order_status .*team Fulfilment · priority high/ }).waitFor();

    await rules.getByRole('button', { name: 'Edit rule order_status' }).click();
    const form = rules.getByRole('form', { name: 'Edit rule order_status' });
    expect(await isFocused(form.getByLabel('Team', { exact: true }))).toBe(true);
    // Without any action the form says so before asking the server.
    await form.getByLabel('Team', { exact: true }).selectOption('');
    await form.getByLabel('Priority').selectOption('');
    await form.getByRole('button', { name: 'Save rule' }).click();
    await form.getByRole('alert').getByText('A rule needs a team, an assignee or a priority.').waitFor();
    await form.getByLabel('Team', { exact: true }).selectOption({ label: 'Fulfilment' });
    await form.getByLabel('Priority').selectOption('urgent');
    await form.getByLabel('Minimum confidence (%)').fill('75');
    await form.getByRole('button', { name: 'Save rule' }).click();
    await rules.getByRole('row', { name: /order_status 75% team Fulfilment · priority urgent/ }).waitFor();
    expect(await isFocused(rules.getByRole('button', { name: 'Edit rule order_status' }))).toBe(true);

    let items = (await admin.get('/api/v1/intent/rules')).body.items;
    expect(items[0]).toMatchObject({ intent: 'order_status', priority: 'urgent', minConfidence: 0.75, teamId: fulfilmentId });

    // Esc leaves an edit without saving.
    await rules.getByRole('button', { name: 'Edit rule refund' }).click();
    await rules.getByRole('form', { name: 'Edit rule refund' }).getByLabel('Priority').selectOption('medium');
    await page.keyboard.press('Escape');
    await rules.getByRole('form', { name: 'Edit rule refund' }).waitFor({ state: 'detached' });
    expect((await admin.get('/api/v1/intent/rules')).body.items[1]).toMatchObject({ intent: 'refund', priority: 'low' });

    await rules.getByRole('button', { name: 'Move rule refund up' }).click();
    await expect.poll(async () => (await rules.locator('tbody tr td:first-child').allTextContents()).join()).toBe('refund,order_status');
    items = (await admin.get('/api/v1/intent/rules')).body.items;
    expect(items.map((r: { intent: string }) => r.intent)).toEqual(['refund', 'order_status']);
    // At the top "Move up" is off, so the keyboard lands on "Move down".
    expect(await rules.getByRole('button', { name: 'Move rule refund up' }).isDisabled()).toBe(true);
    await expect.poll(() => isFocused(rules.getByRole('button', { name: 'Move rule refund down' }))).toBe(true);
    expect(pageErrors).toEqual([]);
  });
});
