/** A CSV that cannot be written fails the conversion with a clear error (no stray rejection). */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { convertXlsxToCsv } from '../../src/ingest/xlsx/xlsx-to-csv.js';
import { UCI_HEADER, writeWorkbook } from './uci-files.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'duckfeat-xlsx-write-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('convertXlsxToCsv', () => {
  it('rejects with an InputError when the CSV cannot be written', async () => {
    const row = (r: number, cells: string[]) =>
      `<row r="${r}">${cells.map((c) => `<c t="inlineStr"><is><t>${c}</t></is></c>`).join('')}</row>`;
    const xlsx = await writeWorkbook(join(dir, 'ok.xlsx'), [
      {
        name: 'S',
        xml:
          row(1, UCI_HEADER) +
          row(2, ['536365', '85123A', 'X', '6', '2010-12-01 08:26:00', '2.55', '17850', 'UK']),
      },
    ]);
    const csv = join(dir, 'no-such-folder', 'out.csv');
    await expect(convertXlsxToCsv(xlsx, csv)).rejects.toThrow(InputError);
    await expect(convertXlsxToCsv(xlsx, csv)).rejects.toThrow(
      /^Failed to ingest .*ok\.xlsx: cannot write .*out\.csv: ENOENT/,
    );
  });
});
