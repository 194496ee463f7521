import { describe, expect, it } from 'vitest';
import { MAX_FILE_BYTES, checkFile } from '../../../widget/src/core/files.js';

describe('checkFile', () => {
  it('accepts the types the server accepts, within the size limit', () => {
    expect(checkFile({ type: 'image/png', size: 1000 })).toBeNull();
    expect(checkFile({ type: 'application/pdf', size: MAX_FILE_BYTES })).toBeNull();
    expect(checkFile({ type: 'text/plain; charset=utf-8', size: 5 })).toBeNull();
  });

  it('refuses other types', () => {
    for (const type of ['text/html', 'image/svg+xml', 'application/javascript', '']) expect(checkFile({ type, size: 10 })).toBe('fileType');
  });

  it('refuses files that are too large or empty', () => {
    expect(checkFile({ type: 'image/jpeg', size: MAX_FILE_BYTES + 1 })).toBe('fileTooLarge');
    expect(checkFile({ type: 'image/jpeg', size: 2048 }, 1024)).toBe('fileTooLarge');
    expect(checkFile({ type: 'image/jpeg', size: 0 })).toBe('fileType');
  });
});
