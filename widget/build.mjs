/**
 * Builds the widget: `node widget/build.mjs` → widget/dist/app.js (the chat app) and
 * widget/dist/widget.js (the loader), both classic IIFE scripts, CSS inlined as strings for
 * the shadow root. The app is built first so the loader can carry its content hash (the
 * `?v=` on the app URL), letting the server cache app.js for long without serving stale code.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import preact from '@preact/preset-vite';
import { build } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const outDir = `${root}dist`;

/** One self-contained IIFE bundle from `entry` into dist/`fileName`. */
async function bundle(entry, fileName, { emptyOutDir, define = {}, plugins = [] }) {
  await build({
    root,
    configFile: false,
    logLevel: 'warn',
    plugins,
    define: { 'process.env.NODE_ENV': '"production"', ...define },
    build: {
      outDir,
      emptyOutDir,
      target: 'es2022',
      minify: true,
      sourcemap: false,
      copyPublicDir: false,
      reportCompressedSize: false,
      lib: { entry: `${root}src/${entry}`, formats: ['iife'], name: 'SwitchboardWidgetBundle', fileName: () => fileName },
    },
  });
}

await bundle('app/main.tsx', 'app.js', { emptyOutDir: true, plugins: [preact({ devToolsEnabled: false, prefreshEnabled: false })] });
const app = readFileSync(`${outDir}/app.js`);
const appVersion = createHash('sha256').update(app).digest('hex').slice(0, 12);
await bundle('loader.ts', 'widget.js', { emptyOutDir: false, define: { __APP_VERSION__: JSON.stringify(appVersion) } });

const gz = (buf) => gzipSync(buf, { level: 9 }).length;
const loader = readFileSync(`${outDir}/widget.js`);
const sizes = { loader: gz(loader), app: gz(app) };
console.log(
  `widget/dist/widget.js ${loader.length} B (gzip ${sizes.loader} B), widget/dist/app.js ${app.length} B (gzip ${sizes.app} B), total gzip ${sizes.loader + sizes.app} B`,
);
