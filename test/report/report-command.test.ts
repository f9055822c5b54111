import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { renderReport } from '../../src/report/report-html.js';
import { writeReportInput } from '../../src/report/report-input-file.js';
import { buildReportInput } from './fixture.js';

const BIN = resolve('bin/duckfeat.js');
const run = promisify(execFile);

/** Run the built CLI in `cwd`; never throws, returns the exit code and both streams. */
async function duckfeat(cwd: string, ...args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], {
      cwd,
      env: { ...process.env, NO_COLOR: '1' },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const root = await mkdtemp(join(tmpdir(), 'duckfeat-report-cli-'));
afterAll(() => rm(root, { recursive: true, force: true }));

describe('duckfeat report', () => {
  it('needs the build (npm test builds first)', () => {
    expect(existsSync(resolve('dist/cli/main.js'))).toBe(true);
  });

  it('fails with a pointer to `duckfeat train` when there are no metrics', async () => {
    const result = await duckfeat(root, 'report');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'Failed to read the model metrics: models/metrics.json does not exist; run `duckfeat train` first',
    );
    expect(existsSync(join(root, 'models', 'report.html'))).toBe(false);
  });

  it('rebuilds models/report.html from models/metrics.json', async () => {
    const input = buildReportInput();
    await writeReportInput(input, join(root, 'models', 'metrics.json'));
    const result = await duckfeat(root, 'report');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^wrote models\/report\.html \(\d+ KiB\)\n$/);
    const page = await readFile(join(root, 'models', 'report.html'), 'utf8');
    expect(page).toBe(await renderReport(input));
  });

  it('takes --metrics and --out', async () => {
    const input = buildReportInput({ title: 'Elsewhere' });
    await writeReportInput(input, join(root, 'saved', 'm.json'));
    const result = await duckfeat(
      root,
      'report',
      '--metrics',
      'saved/m.json',
      '--out',
      'site/r.html',
    );
    expect(result.code).toBe(0);
    expect(await readFile(join(root, 'site', 'r.html'), 'utf8')).toBe(await renderReport(input));
  });
});
