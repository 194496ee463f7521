import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { ROOT } from './lib/proc.js';

export interface WidgetResult {
  built: boolean;
  /** gzip bytes of the loader (the script tag's file). */
  loaderGzipBytes: number | null;
  /** gzip bytes of everything loaded before the first message can be sent. */
  firstMessageGzipBytes: number | null;
  files: { file: string; bytes: number; gzipBytes: number }[];
  note?: string;
}

/** Scenario 4: sizes of the built widget (`widget/dist`). */
export function measureWidget(): WidgetResult {
  const dist = path.join(ROOT, 'widget/dist');
  if (!fs.existsSync(dist)) {
    return { built: false, loaderGzipBytes: null, firstMessageGzipBytes: null, files: [], note: 'the widget is not built yet (issue 5); nothing to measure' };
  }
  const files = fs
    .readdirSync(dist)
    .filter((f) => /\.(js|css)$/.test(f))
    .map((file) => {
      const data = fs.readFileSync(path.join(dist, file));
      return { file, bytes: data.length, gzipBytes: zlib.gzipSync(data, { level: 9 }).length };
    });
  const loader = files.find((f) => f.file === 'widget.js');
  return {
    built: true,
    loaderGzipBytes: loader?.gzipBytes ?? null,
    firstMessageGzipBytes: files.reduce((a, f) => a + f.gzipBytes, 0),
    files,
  };
}
