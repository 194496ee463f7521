import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/server.js';
import { TINY_KEYWORDS, TINY_LABELS, TINY_VOCAB, tinyModelFiles, tinyTransformer } from '../unit/intent/tiny-transformer.js';

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server/cli.ts'), ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

function writeModelDir(dir: string, files: Map<string, Uint8Array>): string {
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, bytes] of files) fs.writeFileSync(path.join(dir, name), bytes);
  return dir;
}

describe('switchboard intent eval on a transformer model directory', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-intent-transformer-cli-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const tiny = tinyTransformer({ vocab: TINY_VOCAB, classes: TINY_LABELS.length, keywords: TINY_KEYWORDS });

  it('scores the model on a labelled CSV through the serving path', async () => {
    const dir = writeModelDir(path.join(tmp, 'model'), tinyModelFiles(tiny));
    const data = path.join(tmp, 'data.csv');
    // Five rows the keywords decide, and one labelled against its keyword: accuracy is exactly 5/6.
    fs.writeFileSync(
      data,
      ['text,label', 'I want a refund,refund', 'where is my card?,card_arrival', 'I forgot my password,password_reset', '我的卡到了吗,card_arrival', '退款,refund', 'my money back please,password_reset', ''].join('\n'),
    );
    const evaluated = await cli(['intent', 'eval', '--model', dir, '--data', data]);
    expect(evaluated.stderr).toBe('');
    expect(evaluated.code).toBe(0);
    const report = JSON.parse(evaluated.stdout.trim());
    expect(report).toMatchObject({ n: 6, accuracy: 5 / 6 });
    expect(report.p50Ms).toBeGreaterThan(0);
    expect(report.p99Ms).toBeGreaterThanOrEqual(report.p50Ms);
  });

  it('refuses a transformer directory without vocab.txt as a validation error', async () => {
    const files = tinyModelFiles(tiny);
    files.delete('vocab.txt');
    const dir = writeModelDir(path.join(tmp, 'no-vocab'), files);
    const result = await cli(['intent', 'eval', '--model', dir, '--data', path.join(ROOT, 'test/fixtures/intent-small.csv')]);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stderr).error).toMatchObject({ code: 'SB_ERR_VALIDATION', message: expect.stringMatching(/vocab\.txt/) });
  });
});
