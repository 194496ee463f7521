import { describe, expect, it } from 'vitest';
import { STRINGS, chooseLocale, format, matchLocale } from '../../../widget/src/core/i18n.js';

describe('matchLocale', () => {
  it('maps Chinese (simplified) tags onto zh-CN', () => {
    for (const tag of ['zh', 'zh-CN', 'zh_cn', 'zh-Hans', 'zh-Hans-CN', 'ZH-SG']) expect(matchLocale(tag)).toBe('zh-CN');
  });

  it('maps English tags onto en', () => {
    for (const tag of ['en', 'en-US', 'en-GB', 'EN']) expect(matchLocale(tag)).toBe('en');
  });

  it('knows nothing else', () => {
    for (const tag of ['fr', 'zh-TW', 'english', '', null, undefined]) expect(matchLocale(tag)).toBeNull();
  });
});

describe('chooseLocale', () => {
  it('prefers setLocale, then data-locale, then <html lang>, then the browser', () => {
    const all = { explicit: 'en', dataLocale: 'zh-CN', htmlLang: 'zh', browser: ['zh-CN'] };
    expect(chooseLocale(all)).toBe('en');
    expect(chooseLocale({ ...all, explicit: null })).toBe('zh-CN');
    expect(chooseLocale({ dataLocale: null, htmlLang: 'en-US', browser: ['zh-CN'] })).toBe('en');
    expect(chooseLocale({ htmlLang: '', browser: ['fr-FR', 'zh-CN', 'en'] })).toBe('zh-CN');
  });

  it('skips unsupported values instead of stopping at them', () => {
    expect(chooseLocale({ explicit: 'de', dataLocale: 'fr', htmlLang: 'zh-Hans' })).toBe('zh-CN');
  });

  it('falls back to English', () => {
    expect(chooseLocale({})).toBe('en');
    expect(chooseLocale({ browser: ['ja-JP'] })).toBe('en');
  });
});

describe('strings', () => {
  it('has every string in both locales', () => {
    expect(Object.keys(STRINGS['zh-CN']).sort()).toEqual(Object.keys(STRINGS.en).sort());
    for (const v of Object.values(STRINGS['zh-CN'])) expect(v.trim()).not.toBe('');
  });

  it('keeps the accessible names the end-to-end tests rely on', () => {
    expect(STRINGS.en.typeMessage).toBe('Type a message');
    expect(STRINGS.en.send).toBe('Send');
    expect(STRINGS.en.attach).toBe('Attach a file');
    expect(STRINGS.en.retry).toBe('Retry');
  });

  it('fills placeholders and leaves unknown ones', () => {
    expect(format('{name} is typing…', { name: 'Ada' })).toBe('Ada is typing…');
    expect(format('{n} of {m}', { n: 2 })).toBe('2 of {m}');
  });
});
