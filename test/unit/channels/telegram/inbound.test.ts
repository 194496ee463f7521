import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Update } from 'grammy/types';
import { chatIdOf, normalizeUpdate } from '../../../../channels/telegram/inbound.js';

const FIXTURES = path.resolve(import.meta.dirname, '../../../../channels/telegram/fixtures');
const fixture = (name: string) => JSON.parse(fs.readFileSync(path.join(FIXTURES, `${name}.json`), 'utf8')) as Update;
const requested: string[] = [];
const download = async (fileId: string) => {
  requested.push(fileId);
  return Buffer.from('x');
};

describe('normalizeUpdate', () => {
  it('turns a private text message into an InboundMessage keyed by update_id', () => {
    const m = normalizeUpdate(fixture('private-text'), 'inb1', download)!;
    expect(m).toMatchObject({
      channel: 'telegram',
      dedupKey: 'tg:inb1:10000',
      conversation: { externalId: 'user:1111111', name: 'Test Lastname' },
      sender: { externalId: 'user:1111111', name: 'Test Lastname' },
      body: 'Hello, where is my order?',
      files: [],
      providerMessageId: '1365',
      senderAttributes: { telegramUserId: 1111111, telegramUsername: 'Testusername' },
    });
    expect(chatIdOf(m.conversation.externalId)).toBe(1111111);
  });

  it('makes a group one party and its member the sender', () => {
    const m = normalizeUpdate(fixture('group-text'), 'inb1', download)!;
    expect(m.conversation).toEqual({ externalId: 'chat:-4012345678', name: 'Acme support group' });
    expect(m.sender).toEqual({ externalId: 'user:2222222', name: 'Grace' });
    expect(chatIdOf(m.conversation.externalId)).toBe(-4012345678);
  });

  it('takes the caption as text and the largest photo size as the file', async () => {
    const m = normalizeUpdate(fixture('photo-caption'), 'inb1', download)!;
    expect(m.body).toBe('the broken part');
    expect(m.files).toHaveLength(1);
    expect(m.files[0]).toMatchObject({ kind: 'image', contentType: 'image/jpeg', size: 45873 });
    await m.files[0]!.download(1000);
    expect(requested.at(-1)).toBe('AgACAgQAAxkBAAIBlarge');
  });

  it('keeps a document with its name and type', () => {
    const m = normalizeUpdate(fixture('document'), 'inb1', download)!;
    expect(m.body).toBe('');
    expect(m.files[0]).toMatchObject({ kind: 'file', name: 'invoice.pdf', contentType: 'application/pdf', size: 20480 });
  });

  it('shows a sticker as its emoji, an edit as an edit, a reply with its quote', () => {
    expect(normalizeUpdate(fixture('sticker'), 'i', download)!.body).toBe('👍');
    const edited = normalizeUpdate(fixture('edited'), 'i', download)!;
    expect(edited.body).toBe('✎ edited: Hello, where is my order #42?');
    expect(edited.dedupKey).toBe('tg:i:10005');
    expect(normalizeUpdate(fixture('reply'), 'i', download)!.body).toBe('↩ “Is it the order placed on Monday?”\nYes, that one');
  });

  it('keeps /start with its deep-link payload, and records the payload on the sender', () => {
    const m = normalizeUpdate(fixture('start-deeplink'), 'i', download)!;
    expect(m.body).toBe('/start order-42');
    expect(m.senderAttributes).toMatchObject({ telegramStartPayload: 'order-42', telegramUsername: 'ada' });
  });

  it('ignores updates without a customer message', () => {
    expect(normalizeUpdate({ update_id: 1 } as Update, 'i', download)).toBeNull();
    const fromBot = fixture('private-text');
    fromBot.message!.from!.is_bot = true;
    expect(normalizeUpdate(fromBot, 'i', download)).toBeNull();
    const join = { update_id: 2, message: { ...fixture('group-text').message!, text: undefined, new_chat_members: [{ id: 5, is_bot: false, first_name: 'N' }] } } as unknown as Update;
    expect(normalizeUpdate(join, 'i', download)).toBeNull();
  });
});
