import { describe, expect, it } from 'vitest';
import { acceptable, acceptedType, baseType, cleanFileName, servedInline } from '../../../server/attachments/policy.js';

const PNG = Buffer.from('89504e470d0a1a0a0000', 'hex');
const JPEG = Buffer.from('ffd8ffe000104a464946', 'hex');
const PDF = Buffer.from('%PDF-1.7\n');
const WEBP = Buffer.concat([Buffer.from('RIFF'), Buffer.from([0, 0, 0, 0]), Buffer.from('WEBPVP8 ')]);

describe('attachment policy', () => {
  it('accepts listed types whose bytes match', () => {
    expect(acceptable('image/png', PNG)).toBe(true);
    expect(acceptable('image/jpeg', JPEG)).toBe(true);
    expect(acceptable('application/pdf', PDF)).toBe(true);
    expect(acceptable('image/webp', WEBP)).toBe(true);
    expect(acceptable('text/plain', Buffer.from('hello'))).toBe(true);
  });

  it('refuses content that does not match its declared type', () => {
    expect(acceptable('image/png', Buffer.from('<html><script>alert(1)</script>'))).toBe(false);
    expect(acceptable('image/jpeg', PNG)).toBe(false);
    expect(acceptable('application/pdf', Buffer.from('%PDX'))).toBe(false);
    expect(acceptable('image/webp', Buffer.from('RIFF0000WAVE'))).toBe(false);
  });

  it('refuses types that can run script or are not listed, and empty files', () => {
    for (const type of ['text/html', 'image/svg+xml', 'application/javascript', 'application/xhtml+xml', '', 'constructor', '__proto__']) {
      expect(acceptedType(type), type).toBe(false);
      expect(acceptable(type, Buffer.from('x')), type).toBe(false);
    }
    expect(acceptable('text/plain', Buffer.alloc(0))).toBe(false);
  });

  it('normalises the declared media type', () => {
    expect(baseType('Text/Plain; charset=utf-8')).toBe('text/plain');
    expect(baseType(undefined)).toBe('');
  });

  it('only media is shown inline; documents and text download', () => {
    expect(servedInline('image/png')).toBe(true);
    expect(servedInline('text/plain')).toBe(false);
    expect(servedInline('application/zip')).toBe(false);
  });

  it('cleans file names of paths, controls and quotes', () => {
    expect(cleanFileName('../../etc/passwd')).toBe('passwd');
    expect(cleanFileName('C:\\Users\\me\\report.pdf')).toBe('report.pdf');
    expect(cleanFileName('a"b<c>\u0000d\r\n.txt')).toBe('abcd.txt');
    expect(cleanFileName('..')).toBe('file');
    expect(cleanFileName(undefined)).toBe('file');
    expect(cleanFileName('x'.repeat(500))).toHaveLength(200);
  });
});
