import { writeFileAtomically } from '../util/atomic-file.js';
import { renderReport } from './report-html.js';
import type { ReportInput } from './report-input.js';

/**
 * Render the model report and write it to `path` atomically: a reader (or a browser reload)
 * sees the previous page or the new one, never half a page. Returns the page's size in bytes.
 *
 * @example
 * await writeReport(input, join(paths.models, 'report.html'));
 */
export async function writeReport(input: ReportInput, path: string): Promise<number> {
  const html = await renderReport(input);
  await writeFileAtomically(path, html);
  return Buffer.byteLength(html);
}
