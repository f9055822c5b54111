import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mapColumns } from '../../src/ingest/columns.js';
import { excelSerialToTimestamp } from '../../src/ingest/xlsx/excel-date.js';
import { decodeXmlText, stringItemText } from '../../src/ingest/xlsx/xml-text.js';
import { UCI_HEADER } from './uci-files.js';

describe('excelSerialToTimestamp', () => {
  it('reads the serials Excel shows for known dates, leap-year bug included', () => {
    expect(excelSerialToTimestamp(40513.35138888889, false)).toBe('2010-12-01 08:26:00');
    expect(excelSerialToTimestamp(1, false)).toBe('1900-01-01 00:00:00');
    expect(excelSerialToTimestamp(59, false)).toBe('1900-02-28 00:00:00');
    expect(excelSerialToTimestamp(61, false)).toBe('1900-03-01 00:00:00');
    expect(excelSerialToTimestamp(0, true)).toBe('1904-01-01 00:00:00');
    expect(excelSerialToTimestamp(0.5, true)).toBe('1904-01-01 12:00:00');
  });

  it('round-trips any millisecond timestamp written as a serial the way Excel stores it', () => {
    const from = Date.UTC(1900, 2, 1);
    const to = Date.UTC(2100, 0, 1);
    fc.assert(
      fc.property(fc.integer({ min: from, max: to }), (ms) => {
        const serial = (ms - Date.UTC(1899, 11, 30)) / 86_400_000;
        const iso = new Date(ms).toISOString();
        const expected = `${iso.slice(0, 10)} ${iso.slice(11, 19)}${iso.slice(20, 23) === '000' ? '' : `.${iso.slice(20, 23)}`}`;
        expect(excelSerialToTimestamp(serial, false)).toBe(expected);
      }),
    );
  });
});

describe('xml text', () => {
  it('decodes entities, character references and _xHHHH_ escapes', () => {
    expect(decodeXmlText('A &amp; B &lt;3&gt; &quot;q&quot; &apos;s&#233;&#x2603;_x000D_')).toBe(
      'A & B <3> "q" \'s\u00e9\u2603\r',
    );
  });

  it('joins rich-text runs and leaves phonetic runs out', () => {
    const item =
      '<r><rPr><b/></rPr><t>Hello</t></r><r><t xml:space="preserve"> world</t></r><rPh sb="0" eb="1"><t>HH</t></rPh><t/>';
    expect(stringItemText(item)).toBe('Hello world');
  });
});

describe('mapColumns', () => {
  it('accepts Online Retail and Online Retail II headers', () => {
    expect(mapColumns(UCI_HEADER, 'a.csv')).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const v2 = [
      'Country',
      'Invoice',
      'StockCode',
      'Description',
      'Quantity',
      'InvoiceDate',
      'Price',
      'Customer ID',
    ];
    expect(mapColumns(v2, 'b.csv')).toEqual([1, 2, 3, 4, 5, 6, 7, 0]);
  });

  it('names the missing columns and the ones found', () => {
    expect(() => mapColumns(['InvoiceNo', 'Qty'], 'c.csv')).toThrow(
      /missing required columns: StockCode, Description, Quantity, InvoiceDate, UnitPrice or Price, CustomerID or Customer ID, Country \(found: "InvoiceNo", "Qty"\)/,
    );
  });
});
