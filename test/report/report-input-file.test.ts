import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { readReportInput, writeReportInput } from '../../src/report/report-input-file.js';
import { writeReport } from '../../src/report/write-report.js';
import { buildReportInput } from './fixture.js';

const dir = await mkdtemp(join(tmpdir(), 'duckfeat-report-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('metrics.json', () => {
  it('round-trips a report input', async () => {
    const input = buildReportInput();
    const path = join(dir, 'models', 'metrics.json');
    await writeReportInput(input, path);
    expect(await readReportInput(path)).toEqual(input);
  });

  it('says to run train when the file is missing', async () => {
    const missing = join(dir, 'nope', 'metrics.json');
    await expect(readReportInput(missing)).rejects.toThrow(InputError);
    await expect(readReportInput(missing)).rejects.toThrow(
      `Failed to read the model metrics: ${missing} does not exist; run \`duckfeat train\` first`,
    );
  });

  it('names the field that is wrong', async () => {
    const path = join(dir, 'bad.json');
    const { roc: _roc, ...noRoc } = buildReportInput();
    await writeFile(path, JSON.stringify(noRoc));
    await expect(readReportInput(path)).rejects.toThrow('"roc" must be an object');
    const input = buildReportInput();
    input.scoreDistribution.edges.pop();
    await writeFile(path, JSON.stringify(input));
    await expect(readReportInput(path)).rejects.toThrow(/"scoreDistribution" needs one more edge/);
    await writeFile(path, '{ not json');
    await expect(readReportInput(path)).rejects.toThrow(/is not valid JSON/);
  });
});

describe('writeReport', () => {
  it('writes the page atomically and leaves no temp file behind', async () => {
    const out = join(dir, 'site', 'report.html');
    const bytes = await writeReport(buildReportInput(), out);
    const page = await readFile(out, 'utf8');
    expect(Buffer.byteLength(page)).toBe(bytes);
    expect(page.startsWith('<!doctype html>')).toBe(true);
    expect(page.trimEnd().endsWith('</html>')).toBe(true);
    expect(await readdir(join(dir, 'site'))).toEqual(['report.html']);
  });

  it('keeps the old page when rendering fails', async () => {
    const out = join(dir, 'keep', 'report.html');
    await writeReport(buildReportInput(), out);
    const before = await readFile(out, 'utf8');
    const broken = { ...buildReportInput(), metrics: undefined } as unknown as Parameters<
      typeof writeReport
    >[0];
    await expect(writeReport(broken, out)).rejects.toThrow();
    expect(await readFile(out, 'utf8')).toBe(before);
    expect(await readdir(join(dir, 'keep'))).toEqual(['report.html']);
  });
});
