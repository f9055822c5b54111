import { readFile } from 'node:fs/promises';
import { InputError } from '../errors.js';
import { writeFileAtomically } from '../util/atomic-file.js';
import type { ReportInput } from './report-input.js';

/**
 * Save the report input as JSON (`models/metrics.json`), atomically. Non-finite numbers
 * become `null`, which the report shows as a dash.
 *
 * @example
 * await writeReportInput(input, join(paths.models, 'metrics.json'));
 */
export async function writeReportInput(input: ReportInput, path: string): Promise<void> {
  await writeFileAtomically(path, `${JSON.stringify(input, null, 2)}\n`);
}

/**
 * Read a saved report input and check its shape, so `duckfeat report` fails with a message
 * that names the file and the field rather than deep inside the renderer.
 *
 * @example
 * const input = await readReportInput('models/metrics.json');
 */
export async function readReportInput(path: string): Promise<ReportInput> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new InputError(
        `Failed to read the model metrics: ${path} does not exist; run \`duckfeat train\` first`,
        { cause: error },
      );
    }
    throw new InputError(`Failed to read the model metrics: ${path}: ${String(error)}`, {
      cause: error,
    });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InputError(`Failed to read the model metrics: ${path} is not valid JSON`, {
      cause: error,
    });
  }
  const problem = shapeProblem(value);
  if (problem) {
    throw new InputError(
      `Failed to read the model metrics: ${path}: ${problem} (run \`duckfeat train\` to rewrite it)`,
    );
  }
  return value as ReportInput;
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
// JSON has no NaN: a metric that was NaN comes back as null.
const isNumberArray = (v: unknown): v is (number | null)[] =>
  Array.isArray(v) && v.every((x) => x === null || typeof x === 'number');

/** The first thing wrong with the shape of a report input, or undefined. */
export function shapeProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'expected a JSON object';
  for (const key of ['title', 'generatedAt'] as const) {
    if (typeof value[key] !== 'string') return `"${key}" must be a string`;
  }
  for (const key of ['metrics', 'calibration', 'importance', 'dataSummary'] as const) {
    if (!Array.isArray(value[key])) return `"${key}" must be an array`;
    if (!value[key].every(isObject)) return `"${key}" must be an array of objects`;
  }
  const pairs = [
    ['roc', 'fpr', 'tpr'],
    ['pr', 'recall', 'precision'],
  ] as const;
  for (const [key, a, b] of pairs) {
    const curve = value[key];
    if (!isObject(curve)) return `"${key}" must be an object`;
    if (!isNumberArray(curve[a])) return `"${key}.${a}" must be an array of numbers`;
    if (!isNumberArray(curve[b])) return `"${key}.${b}" must be an array of numbers`;
    if (curve[a].length !== curve[b].length) {
      return `"${key}.${a}" and "${key}.${b}" differ in length`;
    }
  }
  const hist = value['scoreDistribution'];
  if (!isObject(hist)) return '"scoreDistribution" must be an object';
  for (const key of ['edges', 'negative', 'positive'] as const) {
    if (!isNumberArray(hist[key])) return `"scoreDistribution.${key}" must be an array of numbers`;
  }
  const bins = (hist['negative'] as unknown[]).length;
  if (
    (hist['positive'] as unknown[]).length !== bins ||
    (hist['edges'] as unknown[]).length !== bins + 1
  ) {
    return '"scoreDistribution" needs one more edge than bins and as many positive as negative counts';
  }
  const metrics = value['metrics'] as Json[];
  for (const m of metrics) {
    if (m['split'] !== 'train' && m['split'] !== 'test') {
      return '"metrics[].split" must be "train" or "test"';
    }
    if (!isObject(m['confusion'])) return '"metrics[].confusion" must be an object';
  }
  if (!isObject(value['params'])) return '"params" must be an object';
  const report = value['classificationReport'];
  if (report !== undefined && typeof report !== 'string') {
    return '"classificationReport" must be a string when present';
  }
  return undefined;
}
