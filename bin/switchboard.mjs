#!/usr/bin/env node
// `npx switchboard …`: the compiled CLI when the package is built (`npm ci` runs `prepare`),
// otherwise the TypeScript source through tsx, so a checkout works before its first build.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

const compiled = new URL('../dist/server/cli.js', import.meta.url);

if (fs.existsSync(compiled)) {
  const { runCli } = await import(compiled.href);
  process.exitCode = await runCli(process.argv);
} else {
  const source = fileURLToPath(new URL('../server/cli.ts', import.meta.url));
  // Resolve tsx next to this package, not from the caller's working directory.
  let loader = 'tsx';
  try {
    loader = import.meta.resolve('tsx');
  } catch {
    // Left to Node's resolution from the working directory.
  }
  const child = spawn(process.execPath, ['--import', loader, source, ...process.argv.slice(2)], { stdio: 'inherit' });
  const forward = (signal) => child.kill(signal);
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, forward);
  child.once('error', (err) => {
    process.stderr.write(`${JSON.stringify({ error: { code: 'SB_ERR_INTERNAL', message: `cannot run the CLI: ${err.message}` } })}\n`);
    process.exitCode = 1;
  });
  child.once('exit', (code, signal) => {
    for (const s of ['SIGINT', 'SIGTERM']) process.off(s, forward);
    if (signal) process.kill(process.pid, signal);
    else process.exitCode = code ?? 1;
  });
}
