import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportCharts } from '../../src/report/charts.js';
import { writeReport } from '../../src/report/write-report.js';
import { buildReportInput } from './fixture.js';

/** Debian's chromium package; `.ci/run` installs it when missing. */
const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const available = existsSync(CHROMIUM);
// Locally a missing browser skips (with a note); in CI it must be there, so the test fails.
const skip = !available && !process.env['CI'];
if (skip) {
  console.warn(
    `report browser test skipped: ${CHROMIUM} not found (apt-get install -y chromium; CI installs it)`,
  );
}

interface FigureCheck {
  id: string;
  width: number;
  height: number;
  marks: number;
  drawnMarks: number;
}

describe.skipIf(skip)('model report in headless Chromium', () => {
  const input = buildReportInput();
  let dir: string;
  let browser: Browser;
  let page: Page;
  const requests: string[] = [];
  const consoleErrors: string[] = [];
  let pageUrl: string;

  beforeAll(async () => {
    if (!available) throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium`);
    dir = await mkdtemp(join(tmpdir(), 'duckfeat-report-browser-'));
    const path = join(dir, 'report.html');
    await writeReport(input, path);
    pageUrl = pathToFileURL(path).href;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    page = await context.newPage();
    // The page must need nothing but itself: record every request and abort all others.
    await context.route('**', (route) =>
      route.request().url() === pageUrl ? route.continue() : route.abort(),
    );
    page.on('request', (request) => requests.push(request.url()));
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(error.message));
    await page.goto(pageUrl, { waitUntil: 'load' });
  });

  afterAll(async () => {
    await browser?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('requests nothing beyond the page and logs no errors', () => {
    expect(requests).toEqual([pageUrl]);
    expect(consoleErrors).toEqual([]);
  });

  it('renders every chart: a visible SVG with drawn marks', async () => {
    const figures: FigureCheck[] = await page.$$eval('figure.chart', (nodes) =>
      nodes.map((figure) => {
        const svg = figure.querySelector('svg');
        const box = svg?.getBoundingClientRect();
        // Data marks sit in Vega's role-mark groups (axes, legends, titles do not).
        const marks = [
          ...(svg?.querySelectorAll('g.role-mark path, g.role-mark line, g.role-mark text') ?? []),
        ] as unknown as { getBBox(): { width: number; height: number } }[];
        const drawn = marks.filter((mark) => {
          const b = mark.getBBox();
          return b.width > 0 || b.height > 0;
        });
        return {
          id: figure.id,
          width: box?.width ?? 0,
          height: box?.height ?? 0,
          marks: marks.length,
          drawnMarks: drawn.length,
        };
      }),
    );
    expect(figures.map((f) => f.id)).toEqual(reportCharts(input).map((c) => `chart-${c.id}`));
    for (const figure of figures) {
      expect(figure.width, figure.id).toBeGreaterThan(100);
      expect(figure.height, figure.id).toBeGreaterThan(100);
      expect(figure.drawnMarks, figure.id).toBeGreaterThan(0);
    }
    // One bar per class per bin; one bar per feature; one bar per cutoff.
    const byId = new Map(figures.map((f) => [f.id, f]));
    const bins = input.scoreDistribution.negative.length;
    expect(byId.get('chart-score-distribution')!.drawnMarks).toBeLessThanOrEqual(2 * bins);
    expect(byId.get('chart-rows-per-cutoff')!.drawnMarks).toBe(input.dataSummary.length);
  });

  it('lists the features by gain, largest first', async () => {
    const labels = await page.$$eval(
      '#chart-feature-importance g.role-axis[aria-label^="Y-axis"] g.role-axis-label text',
      (nodes) =>
        nodes
          .map((n) => ({ text: n.textContent ?? '', top: n.getBoundingClientRect().top }))
          .sort((a, b) => a.top - b.top)
          .map((n) => n.text),
    );
    const expected = [...input.importance].sort((a, b) => b.gain - a.gain).map((f) => f.feature);
    expect(labels).toEqual(expected);
  });

  it('shows the metrics table with both splits', async () => {
    const table = await page.$$eval('table.metrics tr', (rows) =>
      rows.map((row) => [...row.querySelectorAll('th, td')].map((c) => c.textContent?.trim())),
    );
    expect(table[0]).toEqual(['Metric', 'train', 'test']);
    const auc = table.find((row) => row[0] === 'ROC AUC');
    expect(auc).toEqual(['ROC AUC', ...input.metrics.map((m) => m.rocAuc.toFixed(4))]);
    expect(await page.isVisible('table.metrics')).toBe(true);
  });
});
