import { describe, expect, it } from 'vitest';
import { reportCharts } from '../../src/report/charts.js';
import { escapeHtml } from '../../src/report/html.js';
import { renderReport } from '../../src/report/report-html.js';
import { buildReportInput } from './fixture.js';

const input = buildReportInput();
const html = await renderReport(input);

/** The SVG inlined in figure `id`. */
function figureSvg(page: string, id: string): string {
  const start = page.indexOf(`<figure id="chart-${id}"`);
  expect(start, `figure ${id}`).toBeGreaterThanOrEqual(0);
  const end = page.indexOf('</figure>', start);
  return page.slice(start, end);
}

describe('renderReport', () => {
  it('has one figure with an inline SVG per chart', () => {
    const ids = reportCharts(input).map((c) => c.id);
    expect(ids).toEqual([
      'roc',
      'precision-recall',
      'calibration',
      'score-distribution',
      'feature-importance',
      'rows-per-cutoff',
      'purchase-rate-per-cutoff',
    ]);
    expect(html.match(/<figure /g)).toHaveLength(ids.length);
    for (const id of ids) expect(figureSvg(html, id)).toContain('<svg');
  });

  it('loads nothing: no scripts, no external references, a CSP that forbids them', () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<(img|link|iframe|object|embed)\b/i);
    // Every src/href is an in-page anchor; xmlns URIs are names, never fetched.
    const refs = [...html.matchAll(/\b(?:src|href|xlink:href)="([^"]*)"/g)].map((m) => m[1]);
    expect(refs.every((ref) => ref!.startsWith('#'))).toBe(true);
    expect(html).not.toMatch(/url\((?!#)/);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
  });

  it('draws the ROC curve through every point, with the AUC in the title', () => {
    const svg = figureSvg(html, 'roc');
    const test = input.metrics.find((m) => m.split === 'test')!;
    expect(svg).toContain(`ROC curve (AUC = ${test.rocAuc.toFixed(3)})`);
    // The model's line is the second layer (the diagonal is the first).
    const path = svg.match(
      /class="mark-line role-mark layer_1_marks"[^>]*>\s*<path[^>]* d="([^"]+)"/,
    );
    expect(path).not.toBeNull();
    const commands = path![1]!.match(/[ML]/g)!;
    expect(commands).toHaveLength(input.roc.fpr.length);
  });

  it('shows the metrics of both splits as the input has them', () => {
    for (const m of input.metrics) {
      const column = input.metrics.indexOf(m);
      const row = html.match(/<tr><th scope="row">ROC AUC<\/th>((?:<td>[^<]*<\/td>)+)<\/tr>/);
      const cells = [...row![1]!.matchAll(/<td>([^<]*)<\/td>/g)].map((c) => c[1]);
      expect(cells[column]).toBe(m.rocAuc.toFixed(4));
    }
    const test = input.metrics.find((m) => m.split === 'test')!;
    expect(html).toContain(
      `<td class="hit">${test.confusion.tp.toLocaleString('en-US')}</td></tr></tbody>`,
    );
  });

  it('lists data summary rows, parameters and the classification report', () => {
    for (const c of input.dataSummary) {
      expect(html).toContain(
        `<td>${c.cutoff}</td><td>${c.split}</td><td>${c.rows.toLocaleString('en-US')}</td><td>${(c.purchaseRate * 100).toFixed(1)}%</td>`,
      );
    }
    expect(html).toContain('<td>learningRate</td><td>0.1</td>');
    expect(html).toContain(
      `<td>cutoffs</td><td>${escapeHtml(JSON.stringify(input.params['cutoffs']))}</td>`,
    );
    expect(html).toContain(`<pre>${escapeHtml(input.classificationReport)}</pre>`);
  });

  it('escapes every string taken from the input', async () => {
    const evil = '<script>alert("x")</script>&\'';
    const page = await renderReport(
      buildReportInput({
        title: evil,
        generatedAt: evil,
        importance: [{ feature: evil, gain: 1, splits: 1 }],
        dataSummary: [{ cutoff: evil, rows: 1, purchaseRate: 0.5, split: 'train' }],
        params: { [evil]: evil, nested: { evil } },
        classificationReport: evil,
      }),
    );
    expect(page).not.toContain('<script');
    expect(page).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;');
  });

  it('leaves out what is missing instead of drawing empty charts', async () => {
    const { classificationReport: _left, ...input } = buildReportInput({ importance: [] });
    const page = await renderReport(input);
    expect(page).not.toContain('chart-feature-importance');
    expect(page).not.toContain('id="classification-report"');
    expect(page).toMatch(/<h2>Feature importance<\/h2>\s*<p class="empty">No data.<\/p>/);
  });

  it('is the same page every time (ids do not depend on what was rendered before)', async () => {
    expect(await renderReport(buildReportInput())).toBe(html);
  });

  it('shows a dash for metrics JSON turned into null (NaN on a one-class split)', async () => {
    const [train, test] = buildReportInput().metrics;
    const page = await renderReport(
      buildReportInput({ metrics: [train!, { ...test!, rocAuc: null as unknown as number }] }),
    );
    expect(page).toContain('ROC curve (AUC = n/a)');
    expect(page).toMatch(/ROC AUC<\/th><td>[0-9.]+<\/td><td>—<\/td>/);
  });
});
