import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertXlsxToCsv } from '../../src/ingest/xlsx/xlsx-to-csv.js';
import { writeWorkbook } from './uci-files.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'duckfeat-xlsx-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const SHARED = [
  'Invoice',
  'StockCode',
  'Description',
  'Quantity',
  'InvoiceDate',
  'Price',
  'Customer ID',
  'Country',
  'Note',
  '85123A',
];
const sst = (extra: string) =>
  `<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">${SHARED.map(
    (s) => `<si><t>${s}</t></si>`,
  ).join('')}${extra}</sst>`;
// shared string 10: rich text with an entity, a comma and quotes; 11: a phonetic run
const RICH =
  '<si><r><rPr><b/></rPr><t xml:space="preserve">WHITE </t></r><r><t>HEART &amp; "CO", LTD</t></r></si><si><t>NOTE</t><rPh sb="0" eb="1"><t>X</t></rPh></si>';
const HEADER = `<row r="1" spans="1:9">${SHARED.slice(0, 9)
  .map((_s, i) => `<c r="${String.fromCharCode(65 + i)}1" t="s"><v>${i}</v></c>`)
  .join('')}</row>`;
const LINE =
  'source_row,invoice_no,stock_code,description,quantity,invoice_date,unit_price,customer_id,country';

describe('convertXlsxToCsv', () => {
  it('turns every kind of cell into the text Excel stores, in canonical column order', async () => {
    const rows = [
      // r attributes, a date serial with a style, a number written with 17 digits
      '<row r="2"><c r="A2"><v>536365</v></c><c r="B2" t="s"><v>9</v></c><c r="C2" t="s"><v>10</v></c><c r="D2"><v>6</v></c><c r="E2" s="1"><v>40513.35138888889</v></c><c r="F2"><v>2.5499999999999998</v></c><c r="G2" t="n"><v>17850</v></c><c r="H2" t="inlineStr"><is><t>United Kingdom</t></is></c><c r="I2" t="s"><v>11</v></c></row>',
      // no r attributes at all: row and columns counted; a formula with its cached values
      '<row><c t="str"><f>"C"&amp;536379</f><v>C536379</v></c><c t="inlineStr"><is><t>D</t></is></c><c t="inlineStr"><is><t>Discount</t></is></c><c><f>-1</f><v>-1</v></c><c s="1"><v>40513.403472222220</v></c><c><v>1.5E-2</v></c><c><v>14527</v></c><c t="str"><v>United Kingdom</v></c></row>',
      '<row r="4"/>',
      '<row r="5"><c r="A5" s="2"/><c r="I5" t="s"><v>11</v></c></row>',
      // gaps: no Description cell, an empty <v/>, a boolean and an error cell
      '<row r="7"><c r="A7"><v>536366</v></c><c r="B7"><v>22633</v></c><c r="D7"><v>12</v></c><c r="E7"><v>40513.34</v></c><c r="F7"><v/></c><c r="G7" t="e"><v>#N/A</v></c><c r="H7" t="b"><v>1</v></c></row>',
    ];
    const xlsx = await writeWorkbook(
      join(dir, 'kinds.xlsx'),
      [{ name: 'Online Retail', xml: HEADER + rows.join('') }],
      '',
      { 'xl/sharedStrings.xml': sst(RICH) },
    );
    const csv = join(dir, 'kinds.csv');
    const result = await convertXlsxToCsv(xlsx, csv);
    expect(result).toEqual({ rows: 3, sheetName: 'Online Retail' });
    expect((await readFile(csv, 'utf8')).split('\n')).toEqual([
      LINE,
      '2,536365,85123A,"WHITE HEART & ""CO"", LTD",6,2010-12-01 08:26:00,2.5499999999999998,17850,United Kingdom',
      '3,C536379,D,Discount,-1,2010-12-01 09:41:00,0.015,14527,United Kingdom',
      '7,536366,22633,,12,2010-12-01 08:09:36,,#N/A,TRUE',
      '',
    ]);
  });

  it('reads the 1904 date system', async () => {
    const row =
      '<row r="2"><c r="A2"><v>1</v></c><c r="B2"><v>2</v></c><c r="C2"><v>3</v></c><c r="D2"><v>4</v></c><c r="E2"><v>0.5</v></c><c r="F2"><v>6</v></c><c r="G2"><v>7</v></c><c r="H2"><v>8</v></c></row>';
    const xlsx = await writeWorkbook(
      join(dir, 'mac.xlsx'),
      [{ name: 'S', xml: HEADER + row }],
      '<workbookPr date1904="1"/>',
      { 'xl/sharedStrings.xml': sst('') },
    );
    const csv = join(dir, 'mac.csv');
    await convertXlsxToCsv(xlsx, csv);
    expect((await readFile(csv, 'utf8')).split('\n')[1]).toBe(
      '2,1,2,3,4,1904-01-01 12:00:00,6,7,8',
    );
  });

  it('keeps every row across stream chunks and scan batches (60,000 rows)', async () => {
    const n = 60_000;
    const parts: string[] = [HEADER];
    const expected: string[] = [LINE];
    for (let i = 0; i < n; i++) {
      const r = i + 2;
      const serial = 40513 + i / 100;
      parts.push(
        `<row r="${r}"><c r="A${r}"><v>${500000 + i}</v></c><c r="B${r}" t="inlineStr"><is><t>S${i % 977}</t></is></c><c r="C${r}" t="s"><v>${i % 2 === 0 ? 10 : 9}</v></c><c r="D${r}"><v>${(i % 50) - 3}</v></c><c r="E${r}"><v>${serial}</v></c><c r="F${r}"><v>${(i % 1000) / 100}</v></c><c r="G${r}"><v>${12000 + (i % 4000)}</v></c><c r="H${r}" t="inlineStr"><is><t>Country ${i % 7}</t></is></c></row>`,
      );
      const ms = Math.round((serial - 25569) * 86_400_000);
      const iso = new Date(ms).toISOString();
      const date = `${iso.slice(0, 10)} ${iso.slice(11, 19)}${iso.slice(20, 23) === '000' ? '' : `.${iso.slice(20, 23)}`}`;
      expected.push(
        `${r},${500000 + i},S${i % 977},${i % 2 === 0 ? '"WHITE HEART & ""CO"", LTD"' : '85123A'},${(i % 50) - 3},${date},${(i % 1000) / 100},${12000 + (i % 4000)},Country ${i % 7}`,
      );
    }
    const xlsx = await writeWorkbook(
      join(dir, 'many.xlsx'),
      [{ name: 'S', xml: parts.join('') }],
      '',
      {
        'xl/sharedStrings.xml': sst(RICH),
      },
    );
    const csv = join(dir, 'many.csv');
    let lastDone = 0;
    let lastTotal = 0;
    const result = await convertXlsxToCsv(xlsx, csv, (done, total) => {
      lastDone = done;
      lastTotal = total;
    });
    expect(result.rows).toBe(n);
    expect(lastDone).toBe(lastTotal);
    expect(lastTotal).toBeGreaterThan(1 << 21); // several scan batches
    expect((await readFile(csv, 'utf8')).split('\n')).toEqual([...expected, '']);
  });
});
