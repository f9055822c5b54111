import type { TopLevelSpec } from 'vega-lite';
import type { ReportInput } from './report-input.js';
import { CHART_FONT } from './text-width.js';

/** One chart of the report: where it goes, what it says, and its Vega-Lite spec. */
export interface ReportChart {
  /** Stable id: the figure's `id` in the page and the SVG id prefix. */
  id: string;
  /** Page section the chart belongs to. */
  section: 'quality' | 'importance' | 'data';
  /** One sentence under the chart saying how to read it. */
  caption: string;
  spec: TopLevelSpec;
}

const NEGATIVE = '#5b8cc0';
const POSITIVE = '#e8743b';
const MODEL = '#3a6ea5';
const REFERENCE = '#9aa0a6';
const SIDE = 300;

/** Shared look: the page's font stack, quiet axes, no chart border. */
const config = {
  font: CHART_FONT,
  background: 'white',
  view: { stroke: null },
  title: { fontSize: 14, fontWeight: 600, anchor: 'start', offset: 12, subtitleColor: '#5f6368' },
  axis: {
    labelFontSize: 11,
    titleFontSize: 12,
    titleFontWeight: 500,
    titleColor: '#3c4043',
    labelColor: '#5f6368',
    gridColor: '#eceff1',
    domainColor: '#9aa0a6',
    tickColor: '#9aa0a6',
  },
  legend: { labelFontSize: 11, titleFontSize: 11, titleFontWeight: 500, orient: 'bottom' },
} as const;

const unitAxis = (title: string) => ({
  title,
  scale: { domain: [0, 1] },
  axis: { format: '.1f', tickCount: 5 },
});

/** One layer of a layered Vega-Lite chart. */
type Layer = NonNullable<Extract<TopLevelSpec, { layer: unknown }>['layer']>[number];

const diagonal: Layer = {
  data: {
    values: [
      { x: 0, y: 0 },
      { x: 1, y: 1 },
    ],
  },
  mark: { type: 'line', strokeDash: [5, 4], color: REFERENCE, strokeWidth: 1.25 },
  encoding: {
    x: { field: 'x', type: 'quantitative' },
    y: { field: 'y', type: 'quantitative' },
  },
};

/**
 * The report's charts as Vega-Lite specs, data inline. Pure: no rendering here, so a spec can
 * be checked or rendered anywhere (the page renders them to SVG with `renderSvg`).
 */
export function reportCharts(input: ReportInput): ReportChart[] {
  const test = input.metrics.find((m) => m.split === 'test');
  const charts: ReportChart[] = [];
  if (input.roc.fpr.length > 0) charts.push(rocChart(input.roc, test?.rocAuc));
  if (input.pr.recall.length > 0) charts.push(prChart(input.pr, test?.prAuc, test?.positiveRate));
  if (input.calibration.length > 0) charts.push(calibrationChart(input.calibration));
  if (input.scoreDistribution.edges.length > 1) charts.push(scoreChart(input.scoreDistribution));
  if (input.importance.length > 0) charts.push(importanceChart(input.importance));
  if (input.dataSummary.length > 0) charts.push(...dataCharts(input.dataSummary));
  return charts;
}

function rocChart(roc: ReportInput['roc'], auc: number | undefined): ReportChart {
  const values = roc.fpr.map((fpr, i) => ({ i, fpr, tpr: roc.tpr[i] }));
  return {
    id: 'roc',
    section: 'quality',
    caption:
      'True positive rate against false positive rate as the threshold falls; the dashed diagonal is a random ranking.',
    spec: {
      config,
      title: { text: `ROC curve (AUC = ${formatScore(auc)})`, subtitle: 'test split' },
      width: SIDE,
      height: SIDE,
      layer: [
        diagonal,
        {
          data: { values },
          mark: { type: 'line', color: MODEL, strokeWidth: 2 },
          encoding: {
            x: { field: 'fpr', type: 'quantitative', ...unitAxis('False positive rate') },
            y: { field: 'tpr', type: 'quantitative', ...unitAxis('True positive rate') },
            order: { field: 'i' },
          },
        },
      ],
    },
  };
}

function prChart(
  pr: ReportInput['pr'],
  prAuc: number | undefined,
  positiveRate: number | undefined,
): ReportChart {
  const values = pr.recall.map((recall, i) => ({ i, recall, precision: pr.precision[i] }));
  const layer: Layer[] = [
    {
      data: { values },
      mark: { type: 'line', color: MODEL, strokeWidth: 2 },
      encoding: {
        x: { field: 'recall', type: 'quantitative', ...unitAxis('Recall') },
        y: { field: 'precision', type: 'quantitative', ...unitAxis('Precision') },
        order: { field: 'i' },
      },
    },
  ];
  if (positiveRate !== undefined && Number.isFinite(positiveRate)) {
    layer.unshift({
      data: { values: [{ rate: positiveRate }] },
      mark: { type: 'rule', strokeDash: [5, 4], color: REFERENCE, strokeWidth: 1.25 },
      encoding: { y: { field: 'rate', type: 'quantitative' } },
    });
  }
  return {
    id: 'precision-recall',
    section: 'quality',
    caption:
      'Precision against recall as the threshold falls; the dashed line is the positive rate, the precision of a random ranking.',
    spec: {
      config,
      title: {
        text: `Precision–recall curve (PR AUC = ${formatScore(prAuc)})`,
        subtitle: 'test split',
      },
      width: SIDE,
      height: SIDE,
      layer,
    },
  };
}

function calibrationChart(bins: ReportInput['calibration']): ReportChart {
  const encoding = {
    x: { field: 'meanPredicted', type: 'quantitative', ...unitAxis('Mean predicted probability') },
    y: { field: 'fractionPositive', type: 'quantitative', ...unitAxis('Fraction positive') },
  } as const;
  return {
    id: 'calibration',
    section: 'quality',
    caption:
      'Observed positive rate against mean predicted probability per bin (dot area = rows); the dashed diagonal is perfect calibration.',
    spec: {
      config,
      title: { text: 'Calibration curve', subtitle: 'test split' },
      width: SIDE,
      height: SIDE,
      layer: [
        diagonal,
        {
          data: { values: bins },
          mark: { type: 'line', color: MODEL, strokeWidth: 2 },
          encoding,
        },
        {
          data: { values: bins },
          mark: { type: 'circle', color: MODEL, opacity: 0.9 },
          encoding: {
            ...encoding,
            size: {
              field: 'count',
              type: 'quantitative',
              title: 'rows',
              scale: { range: [0, 240] },
              legend: { format: ',d', tickCount: 3 },
            },
          },
        },
      ],
    },
  };
}

function scoreChart(hist: ReportInput['scoreDistribution']): ReportChart {
  const negatives = sum(hist.negative);
  const positives = sum(hist.positive);
  const values = hist.negative.flatMap((neg, i) => {
    const start = hist.edges[i]!;
    const end = hist.edges[i + 1]!;
    const pos = hist.positive[i] ?? 0;
    return [
      { start, end, class: 'negative', count: neg, share: negatives > 0 ? neg / negatives : 0 },
      { start, end, class: 'positive', count: pos, share: positives > 0 ? pos / positives : 0 },
    ];
  });
  return {
    id: 'score-distribution',
    section: 'quality',
    caption:
      'Share of each class per score bin, so both classes show whatever their sizes; the further apart, the better the separation.',
    spec: {
      config,
      title: { text: 'Score distribution by class', subtitle: 'test split' },
      width: SIDE,
      height: SIDE,
      data: { values },
      mark: { type: 'bar', opacity: 0.6, binSpacing: 0 },
      encoding: {
        x: {
          field: 'start',
          type: 'quantitative',
          bin: { binned: true, step: (hist.edges.at(-1)! - hist.edges[0]!) / hist.negative.length },
          title: 'Predicted probability',
          axis: { format: '.1f', tickCount: 5 },
        },
        x2: { field: 'end' },
        y: {
          field: 'share',
          type: 'quantitative',
          stack: null,
          title: 'Share of class',
          axis: { format: '.0%' },
        },
        color: {
          field: 'class',
          type: 'nominal',
          title: 'class',
          scale: { domain: ['negative', 'positive'], range: [NEGATIVE, POSITIVE] },
        },
      },
    },
  };
}

function importanceChart(importance: ReportInput['importance']): ReportChart {
  const total = sum(importance.map((f) => f.gain));
  const values = [...importance]
    .sort((a, b) => b.gain - a.gain)
    .map((f) => ({ ...f, share: total > 0 ? f.gain / total : 0 }));
  return {
    id: 'feature-importance',
    section: 'importance',
    caption: 'Total split gain of each feature, largest first; the label is its share of all gain.',
    spec: {
      config,
      title: { text: 'Feature importance (gain)' },
      width: 520,
      height: { step: 20 },
      data: { values },
      encoding: {
        y: {
          field: 'feature',
          type: 'nominal',
          sort: null, // rows are sorted by gain above (a sort here would be per layer)
          title: null,
          axis: { labelLimit: 320 },
        },
        x: { field: 'gain', type: 'quantitative', title: 'Gain', axis: { format: '~s' } },
      },
      layer: [
        { mark: { type: 'bar', color: MODEL, cornerRadiusEnd: 2 } },
        {
          mark: { type: 'text', align: 'left', dx: 4, color: '#3c4043', fontSize: 11 },
          encoding: { text: { field: 'share', type: 'quantitative', format: '.1%' } },
        },
      ],
    },
  };
}

function dataCharts(summary: ReportInput['dataSummary']): ReportChart[] {
  const width = Math.max(SIDE, Math.min(560, summary.length * 40));
  const x = {
    field: 'cutoff',
    type: 'ordinal',
    title: 'Cutoff',
    sort: null,
    axis: { labelAngle: width / summary.length < 72 ? -40 : 0 },
  } as const;
  const color = {
    field: 'split',
    type: 'nominal',
    title: 'split',
    scale: { domain: ['train', 'test'], range: [MODEL, POSITIVE] },
  } as const;
  return [
    {
      id: 'rows-per-cutoff',
      section: 'data',
      caption: 'Training rows (entities) at each cutoff, colored by split.',
      spec: {
        config,
        title: { text: 'Rows per cutoff' },
        width,
        height: 220,
        data: { values: summary },
        mark: { type: 'bar', cornerRadiusEnd: 2 },
        encoding: {
          x,
          y: { field: 'rows', type: 'quantitative', title: 'Rows', axis: { format: ',d' } },
          color,
        },
      },
    },
    {
      id: 'purchase-rate-per-cutoff',
      section: 'data',
      caption: 'Share of rows with a positive label (a purchase) at each cutoff.',
      spec: {
        config,
        title: { text: 'Purchase rate per cutoff' },
        width,
        height: 220,
        data: { values: summary },
        encoding: {
          x,
          y: {
            field: 'purchaseRate',
            type: 'quantitative',
            title: 'Purchase rate',
            scale: { zero: true },
            axis: { format: '.0%' },
          },
        },
        layer: [
          { mark: { type: 'line', color: REFERENCE, strokeWidth: 1.5 } },
          { mark: { type: 'circle', size: 60, opacity: 1 }, encoding: { color } },
        ],
      },
    },
  ];
}

function sum(values: readonly number[]): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}

/** A score to three decimals, `n/a` when missing (a one-class split has no AUC). */
export function formatScore(value: number | null | undefined): string {
  return typeof value === 'number' && Number.isFinite(value) ? value.toFixed(3) : 'n/a';
}
