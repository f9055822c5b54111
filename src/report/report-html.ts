import { formatScore, type ReportChart, reportCharts } from './charts.js';
import { escapeHtml as esc, formatCount, formatMetric, formatParam, formatRate } from './html.js';
import { renderSvg } from './render-svg.js';
import type { ReportInput, SplitMetrics } from './report-input.js';
import { reportStyle } from './report-style.js';

/**
 * Render the model report: one self-contained HTML page (inline CSS and SVG, no scripts,
 * fonts or images to fetch; a Content-Security-Policy forbids any). Every string from the
 * input is HTML-escaped.
 *
 * @example
 * const html = await renderReport(JSON.parse(await readFile('models/metrics.json', 'utf8')));
 */
export async function renderReport(input: ReportInput): Promise<string> {
  const charts = reportCharts(input);
  const rendered = new Map<string, string>();
  // Sequential on purpose: a render is CPU-bound and small; parallel gains nothing.
  for (const chart of charts) rendered.set(chart.id, await renderSvg(chart.spec, chart.id));
  const figures = (section: ReportChart['section']) =>
    charts
      .filter((c) => c.section === section)
      .map((c) => figure(c, rendered.get(c.id)!))
      .join('\n');

  const train = input.metrics.find((m) => m.split === 'train');
  const test = input.metrics.find((m) => m.split === 'test');
  const sections = [
    section('metrics', 'Metrics', metricsTables(input.metrics)),
    section('quality', 'Model quality on the test split', chartGrid(figures('quality'))),
    section(
      'importance',
      'Feature importance',
      chartGrid(figures('importance')) + importanceTable(input.importance),
    ),
    section(
      'data',
      'Training data',
      chartGrid(figures('data')) + dataSummaryTable(input.dataSummary),
    ),
    section('params', 'Training parameters', paramsTable(input.params)),
  ];
  if (input.classificationReport !== undefined) {
    sections.push(
      section(
        'classification-report',
        'Classification report',
        `<pre>${esc(input.classificationReport)}</pre>`,
      ),
    );
  }

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${esc(input.title)}</title>
<style>${reportStyle}</style>
</head>
<body>
<main>
<header>
<h1>${esc(input.title)}</h1>
<p class="meta">Generated ${esc(input.generatedAt)} · ${formatCount(train?.rows)} training rows · ${formatCount(test?.rows)} test rows · ${formatCount(input.importance.length)} features</p>
<nav>${sectionLinks(input)}</nav>
</header>
${kpis(train, test)}
${sections.join('\n')}
<footer>duckfeat model report · charts rendered with Vega-Lite at build time</footer>
</main>
</body>
</html>
`;
}

function section(id: string, title: string, body: string): string {
  return `<section id="${esc(id)}">\n<h2>${esc(title)}</h2>\n${body}\n</section>`;
}

function sectionLinks(input: ReportInput): string {
  const links: [string, string][] = [
    ['metrics', 'Metrics'],
    ['quality', 'Model quality'],
    ['importance', 'Feature importance'],
    ['data', 'Training data'],
    ['params', 'Parameters'],
  ];
  if (input.classificationReport !== undefined) {
    links.push(['classification-report', 'Classification report']);
  }
  return links.map(([id, label]) => `<a href="#${id}">${esc(label)}</a>`).join('');
}

function chartGrid(figures: string): string {
  return figures ? `<div class="charts">\n${figures}\n</div>` : '<p class="empty">No data.</p>';
}

function figure(chart: ReportChart, svg: string): string {
  return `<figure id="chart-${esc(chart.id)}" class="chart">\n${svg}\n<figcaption>${esc(chart.caption)}</figcaption>\n</figure>`;
}

function kpis(train: SplitMetrics | undefined, test: SplitMetrics | undefined): string {
  const card = (label: string, value: string, note: string) =>
    `<div class="kpi"><div class="label">${esc(label)}</div><div class="value">${esc(value)}</div><div class="note">${esc(note)}</div></div>`;
  return `<div class="kpis">
${card('Test ROC AUC', formatScore(test?.rocAuc), `train ${formatScore(train?.rocAuc)}`)}
${card('Test PR AUC', formatScore(test?.prAuc), `positive rate ${formatRate(test?.positiveRate)}`)}
${card('Test log loss', formatScore(test?.logLoss), `train ${formatScore(train?.logLoss)}`)}
${card('Test Brier score', formatScore(test?.brier), `train ${formatScore(train?.brier)}`)}
</div>`;
}

const METRIC_ROWS: [string, (m: SplitMetrics) => string][] = [
  ['Rows', (m) => formatCount(m.rows)],
  ['Positive rate', (m) => formatRate(m.positiveRate)],
  ['ROC AUC', (m) => formatMetric(m.rocAuc)],
  ['PR AUC', (m) => formatMetric(m.prAuc)],
  ['Log loss', (m) => formatMetric(m.logLoss)],
  ['Brier score', (m) => formatMetric(m.brier)],
  ['Accuracy', (m) => formatMetric(m.accuracy)],
  ['Precision', (m) => formatMetric(m.precision)],
  ['Recall', (m) => formatMetric(m.recall)],
  ['F1', (m) => formatMetric(m.f1)],
];

function metricsTables(metrics: SplitMetrics[]): string {
  if (metrics.length === 0) return '<p class="empty">No metrics.</p>';
  const head = metrics.map((m) => `<th scope="col">${esc(m.split)}</th>`).join('');
  const body = METRIC_ROWS.map(
    ([label, cell]) =>
      `<tr><th scope="row">${esc(label)}</th>${metrics.map((m) => `<td>${esc(cell(m))}</td>`).join('')}</tr>`,
  ).join('\n');
  const table = `<table class="metrics"><thead><tr><th scope="col">Metric</th>${head}</tr></thead>\n<tbody>\n${body}\n</tbody></table>`;
  const confusions = metrics.map(confusionTable).join('\n');
  return `<div class="tables">\n${table}\n<div>${confusions}</div>\n</div>`;
}

function confusionTable(m: SplitMetrics): string {
  const { tn, fp, fn, tp } = m.confusion;
  return `<h3>Confusion matrix · ${esc(m.split)}</h3>
<table class="confusion" data-split="${esc(m.split)}"><thead><tr><th scope="col">actual \\ predicted</th><th scope="col">0</th><th scope="col">1</th></tr></thead>
<tbody><tr><th scope="row">0</th><td class="hit">${formatCount(tn)}</td><td>${formatCount(fp)}</td></tr>
<tr><th scope="row">1</th><td>${formatCount(fn)}</td><td class="hit">${formatCount(tp)}</td></tr></tbody></table>`;
}

function importanceTable(importance: ReportInput['importance']): string {
  if (importance.length === 0) return '';
  const total = importance.reduce((s, f) => s + f.gain, 0);
  const rows = [...importance]
    .sort((a, b) => b.gain - a.gain)
    .map(
      (f) =>
        `<tr><td>${esc(f.feature)}</td><td>${formatMetric(f.gain)}</td><td>${formatRate(total > 0 ? f.gain / total : Number.NaN)}</td><td>${formatCount(f.splits)}</td></tr>`,
    )
    .join('\n');
  return `<details><summary>All ${importance.length} features as a table</summary>
<table class="importance"><thead><tr><th scope="col">Feature</th><th scope="col">Gain</th><th scope="col">Share</th><th scope="col">Splits</th></tr></thead>
<tbody>\n${rows}\n</tbody></table></details>`;
}

function dataSummaryTable(summary: ReportInput['dataSummary']): string {
  if (summary.length === 0) return '';
  const rows = summary
    .map(
      (c) =>
        `<tr><td>${esc(c.cutoff)}</td><td>${esc(c.split)}</td><td>${formatCount(c.rows)}</td><td>${formatRate(c.purchaseRate)}</td></tr>`,
    )
    .join('\n');
  return `<h3>Rows and purchase rate per cutoff</h3>
<table class="data-summary"><thead><tr><th scope="col">Cutoff</th><th scope="col">Split</th><th scope="col">Rows</th><th scope="col">Purchase rate</th></tr></thead>
<tbody>\n${rows}\n</tbody></table>`;
}

function paramsTable(params: Record<string, unknown>): string {
  const entries = Object.entries(params);
  if (entries.length === 0) return '<p class="empty">No parameters recorded.</p>';
  const rows = entries
    .map(([key, value]) => `<tr><td>${esc(key)}</td><td>${esc(formatParam(value))}</td></tr>`)
    .join('\n');
  return `<table class="params"><thead><tr><th scope="col">Parameter</th><th scope="col">Value</th></tr></thead>\n<tbody>\n${rows}\n</tbody></table>`;
}
