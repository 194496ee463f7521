import { describe, expect, it } from 'vitest';
import { originAllowed, prepareWebInbox, readWebSettings, type WebSettings } from '../../../../channels/web/config.js';

const SECRET = 'a-sixteen-plus-char-secret';

function ok(input: unknown) {
  const r = prepareWebInbox(input);
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r)}`);
  return r;
}

describe('prepareWebInbox', () => {
  it('fills defaults for empty settings', () => {
    expect(ok({})).toEqual({ ok: true, settings: { allowedOrigins: [], requireIdentity: false, position: 'right', preChatForm: false }, secrets: {} });
    expect(ok(undefined).settings).toEqual({ allowedOrigins: [], requireIdentity: false, position: 'right', preChatForm: false });
  });

  it('moves identitySecret into secrets and never leaves it in settings', () => {
    const r = ok({ requireIdentity: true, identitySecret: SECRET, greeting: 'Hi!', color: '#112233', position: 'left' });
    expect(r.secrets).toEqual({ identitySecret: SECRET });
    expect(r.settings).not.toHaveProperty('identitySecret');
    expect(JSON.stringify(r.settings)).not.toContain(SECRET);
    expect(r.settings).toEqual({ allowedOrigins: [], requireIdentity: true, greeting: 'Hi!', color: '#112233', position: 'left', preChatForm: false });
  });

  it('keeps an identitySecret even when identity is optional', () => {
    const r = ok({ identitySecret: SECRET });
    expect(r.secrets).toEqual({ identitySecret: SECRET });
    expect(r.settings).not.toHaveProperty('identitySecret');
  });

  it('requireIdentity without a secret is a field-level error on identitySecret', () => {
    expect(prepareWebInbox({ requireIdentity: true })).toEqual({ ok: false, field: 'identitySecret', message: expect.any(String) });
  });

  it('a too-short identitySecret is a field-level error on identitySecret', () => {
    expect(prepareWebInbox({ requireIdentity: true, identitySecret: 'short' })).toMatchObject({ ok: false, field: 'identitySecret' });
  });

  it.each(['not a url', 'shop.example', '', 'null'])('a bad origin (%j) is a field-level error on that origin', (bad) => {
    const r = prepareWebInbox({ allowedOrigins: ['https://good.example', bad] });
    expect(r).toMatchObject({ ok: false, field: 'allowedOrigins.1' });
  });

  it.each(['javascript:alert(1)', 'data:text/html,hi', 'file:///etc/passwd'])(
    'a URL without a real origin (%s) is refused rather than stored as the origin "null"',
    (bad) => {
      const r = prepareWebInbox({ allowedOrigins: [bad] });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.field).toBe('allowedOrigins.0');
    },
  );

  it('normalises origins to their origin form', () => {
    const r = ok({ allowedOrigins: ['https://Shop.Example:443/some/page?x=1#y', 'http://localhost:8080/', 'https://shop.example:8443'] });
    expect(r.settings['allowedOrigins']).toEqual(['https://shop.example', 'http://localhost:8080', 'https://shop.example:8443']);
  });

  it('other bad fields are reported by name', () => {
    expect(prepareWebInbox({ color: 'red' })).toMatchObject({ ok: false, field: 'color' });
    expect(prepareWebInbox({ position: 'top' })).toMatchObject({ ok: false, field: 'position' });
    expect(prepareWebInbox({ requireIdentity: 'yes' })).toMatchObject({ ok: false, field: 'requireIdentity' });
    expect(prepareWebInbox({ surprise: 1 })).toMatchObject({ ok: false });
  });
});

describe('readWebSettings', () => {
  it('reads stored settings back with safe fallbacks', () => {
    expect(readWebSettings({})).toEqual({ allowedOrigins: [], requireIdentity: false, position: 'right', preChatForm: false });
    expect(readWebSettings({ allowedOrigins: ['https://a.example'], requireIdentity: true, position: 'left', greeting: 'Hey', color: '#000000' })).toEqual({
      allowedOrigins: ['https://a.example'],
      requireIdentity: true,
      position: 'left',
      preChatForm: false,
      greeting: 'Hey',
      color: '#000000',
    });
    expect(readWebSettings({ allowedOrigins: 'https://a.example', requireIdentity: 'true' })).toMatchObject({ allowedOrigins: [], requireIdentity: false });
  });
});

describe('originAllowed', () => {
  const open: WebSettings = { allowedOrigins: [], requireIdentity: false, position: 'right', preChatForm: false };
  const locked: WebSettings = { ...open, allowedOrigins: ['https://shop.example', 'http://localhost:8080'] };

  it('an empty allow-list means any origin', () => {
    expect(originAllowed(open, 'https://anything.example')).toBe(true);
    expect(originAllowed(open, undefined)).toBe(true);
  });

  it('a request without Origin (not a browser) is allowed', () => {
    expect(originAllowed(locked, undefined)).toBe(true);
    expect(originAllowed(locked, '')).toBe(true);
  });

  it('only listed origins pass an allow-list, compared exactly', () => {
    expect(originAllowed(locked, 'https://shop.example')).toBe(true);
    expect(originAllowed(locked, 'http://localhost:8080')).toBe(true);
    expect(originAllowed(locked, 'https://evil.example')).toBe(false);
    expect(originAllowed(locked, 'http://shop.example')).toBe(false);
    expect(originAllowed(locked, 'https://shop.example.evil.example')).toBe(false);
    expect(originAllowed(locked, 'https://sub.shop.example')).toBe(false);
    expect(originAllowed(locked, 'http://localhost:8081')).toBe(false);
    expect(originAllowed(locked, 'null')).toBe(false);
  });
});
