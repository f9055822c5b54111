import { InputError } from '../../errors.js';
import { attribute, stringItemText } from './xml-text.js';
import type { ZipArchive } from './zip-archive.js';

/** What the worksheet scanner needs from the workbook around it. */
export interface WorkbookInfo {
  /** The first sheet's name, as Excel shows it. */
  readonly sheetName: string;
  /** The zip entry of the first sheet, e.g. `xl/worksheets/sheet1.xml`. */
  readonly sheetPath: string;
  /** The 1904 date system (old Mac workbooks): serial 0 is 1904-01-01. */
  readonly date1904: boolean;
  /** The shared string table, indexed by `<c t="s"><v>index</v></c>`. */
  readonly sharedStrings: readonly string[];
}

/**
 * Resolve the first sheet as Excel lists it: `xl/workbook.xml` names the sheets in order and
 * points to each through a relationship id in `xl/_rels/workbook.xml.rels`.
 */
export async function readWorkbookInfo(zip: ZipArchive, file: string): Promise<WorkbookInfo> {
  const workbookPath = 'xl/workbook.xml';
  if (!zip.entries.has(workbookPath)) {
    throw new InputError(`Failed to ingest ${file}: not an Excel workbook (no ${workbookPath})`);
  }
  const workbook = await zip.text(workbookPath);
  const sheetTag = /<(?:\w+:)?sheet\s[^>]*>/.exec(workbook)?.[0];
  if (!sheetTag) throw new InputError(`Failed to ingest ${file}: the workbook has no sheet`);
  const sheetName = attribute(sheetTag, 'name') ?? 'Sheet1';
  const relId = /\s(?:\w+:)?id\s*=\s*"([^"]*)"/.exec(sheetTag)?.[1];
  const date1904 = /<(?:\w+:)?workbookPr\s[^>]*date1904\s*=\s*"(1|true)"/.test(workbook);

  const rels = await zip.text('xl/_rels/workbook.xml.rels').catch(() => '');
  let target: string | undefined;
  for (const rel of rels.match(/<Relationship\s[^>]*>/g) ?? []) {
    if (attribute(rel, 'Id') === relId) target = attribute(rel, 'Target');
  }
  const sheetPath = target
    ? target.startsWith('/')
      ? target.slice(1)
      : `xl/${target}`.replace(/\/\.\//g, '/')
    : 'xl/worksheets/sheet1.xml';
  if (!zip.entries.has(sheetPath)) {
    throw new InputError(`Failed to ingest ${file}: sheet '${sheetName}' has no data part`);
  }

  const sharedStrings: string[] = [];
  const sstPath = [...zip.entries.keys()].find((name) => /^xl\/sharedStrings\.xml$/i.test(name));
  if (sstPath) {
    const sst = await zip.text(sstPath);
    const items = /<si>([\s\S]*?)<\/si>|<si\/>/g;
    for (let m = items.exec(sst); m; m = items.exec(sst))
      sharedStrings.push(stringItemText(m[1] ?? ''));
  }
  return { sheetName, sheetPath, date1904, sharedStrings };
}
