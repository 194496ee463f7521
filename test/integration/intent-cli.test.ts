import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/server.js';

const FIXTURE = path.join(ROOT, 'test/fixtures/intent-small.csv');

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

describe('switchboard intent train / eval', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-intent-cli-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('trains a model directory deterministically and evaluates it as one JSON line', async () => {
    const [a, b] = await Promise.all([
      cli(['intent', 'train', '--data', FIXTURE, '--out', path.join(tmp, 'a'), '--val-split', '0.25', '--epochs', '10', '--seed', '3', '--buckets', '4096']),
      cli(['intent', 'train', '--data', FIXTURE, '--out', path.join(tmp, 'b'), '--val-split', '0.25', '--epochs', '10', '--seed', '3', '--buckets', '4096']),
    ]);
    expect(a.stderr).toBe('');
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    const trained = JSON.parse(a.stdout);
    expect(trained).toMatchObject({ labels: 4, trainRows: 24, validationRows: 8 });
    expect(trained.validation.n).toBe(8);
    expect(JSON.parse(fs.readFileSync(path.join(tmp, 'a', 'model.json'), 'utf8')).featurizer.buckets).toBe(4096);
    for (const file of ['model.onnx', 'model.json']) {
      expect(fs.readFileSync(path.join(tmp, 'a', file)).equals(fs.readFileSync(path.join(tmp, 'b', file)))).toBe(true);
    }

    const evaluated = await cli(['intent', 'eval', '--model', path.join(tmp, 'a'), '--data', FIXTURE]);
    expect(evaluated.code).toBe(0);
    const lines = evaluated.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const report = JSON.parse(lines[0]!);
    expect(Object.keys(report)).toEqual(['n', 'accuracy', 'macroF1', 'p50Ms', 'p99Ms']);
    expect(report.n).toBe(32);
    // 24 of the 32 rows were trained on; the model must get nearly all of the set right.
    expect(report.accuracy).toBeGreaterThanOrEqual(0.85);
    expect(report.macroF1).toBeGreaterThan(0.8);
    expect(report.p50Ms).toBeGreaterThan(0);
    expect(report.p99Ms).toBeGreaterThanOrEqual(report.p50Ms);
  });

  it('reports bad input as a structured error with a usage exit code', async () => {
    const bad = path.join(tmp, 'bad.csv');
    fs.writeFileSync(bad, 'utterance,intent\nhello,greet\n');
    const [noColumns, badSplit, badBuckets, noModel] = await Promise.all([
      cli(['intent', 'train', '--data', bad, '--out', path.join(tmp, 'x')]),
      cli(['intent', 'train', '--data', FIXTURE, '--out', path.join(tmp, 'x'), '--val-split', '1.5']),
      cli(['intent', 'train', '--data', FIXTURE, '--out', path.join(tmp, 'x'), '--buckets', '1000']),
      cli(['intent', 'eval', '--model', path.join(tmp, 'missing'), '--data', FIXTURE]),
    ]);
    expect(noColumns.code).toBe(2);
    expect(JSON.parse(noColumns.stderr).error.code).toBe('SB_ERR_VALIDATION');

    expect(badSplit.code).toBe(2);
    expect(JSON.parse(badSplit.stderr).error.code).toBe('SB_ERR_VALIDATION');

    expect(badBuckets.code).toBe(2);
    expect(JSON.parse(badBuckets.stderr).error.message).toMatch(/--buckets/);

    expect(noModel.code).toBe(1);
    expect(JSON.parse(noModel.stderr).error.code).toBe('SB_ERR_NOT_FOUND');
  });
});
