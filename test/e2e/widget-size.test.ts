import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/server.js';

const DIST = path.join(ROOT, 'widget', 'dist');
const gzipSize = (file: string) => zlib.gzipSync(fs.readFileSync(path.join(DIST, file)), { level: 9 }).length;

/**
 * The widget's size budget (issue 5): the loader every customer page pays for, and everything
 * loaded before the first message shows. `npm test` builds the widget first.
 */
describe('widget size budget', () => {
  it('the loader is at most 5 KB gzip', () => {
    expect(gzipSize('widget.js')).toBeLessThanOrEqual(5 * 1024);
  });

  it('loader plus chat app (all that loads before the first message) is at most 30 KB gzip', () => {
    const files = fs.readdirSync(DIST).filter((f) => /\.(js|css)$/.test(f));
    // Everything the widget can load is counted, so a new chunk cannot slip past the budget.
    expect(files).toContain('widget.js');
    expect(files).toContain('app.js');
    const total = files.reduce((sum, f) => sum + gzipSize(f), 0);
    expect(total).toBeLessThanOrEqual(30 * 1024);
  });
});
