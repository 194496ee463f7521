/**
 * Builds the agent inbox: `node inbox/build.mjs` → inbox/dist/index.html + inbox/dist/assets/*
 * (Vite app mode, `base: '/inbox/'`, content-hashed asset names). The page carries no inline
 * script, so it runs under the server's strict CSP.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import preact from '@preact/preset-vite';
import { build } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const outDir = `${root}dist`;

await build({
  root,
  base: '/inbox/',
  configFile: false,
  logLevel: 'warn',
  plugins: [preact({ devToolsEnabled: false, prefreshEnabled: false })],
  define: { 'process.env.NODE_ENV': '"production"' },
  build: {
    outDir,
    emptyOutDir: true,
    target: 'es2022',
    minify: true,
    sourcemap: false,
    copyPublicDir: false,
    reportCompressedSize: false,
    // Never inline anything into index.html: the CSP allows no inline script.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
});

const gz = (buf) => gzipSync(buf, { level: 9 }).length;
let raw = 0;
let zipped = 0;
for (const file of readdirSync(`${outDir}/assets`)) {
  const buf = readFileSync(`${outDir}/assets/${file}`);
  raw += buf.length;
  zipped += gz(buf);
}
console.log(`inbox/dist/assets ${raw} B (gzip ${zipped} B)`);
