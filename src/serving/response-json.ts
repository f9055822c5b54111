import type { OnlineFeatureColumn, OnlineFeaturesResponse, OnlineValue } from '../online/types.js';
import type { RowContributions } from './model-scorer.js';

/** `/predict`'s response: the online features, the model, a probability per row. */
export interface PredictResponse {
  readonly metadata: {
    readonly feature_names: readonly string[];
    readonly model: {
      readonly path: string;
      readonly modified_at: string;
      readonly features: readonly string[];
    };
  };
  readonly results: readonly OnlineFeatureColumn[];
  readonly probabilities: readonly (number | null)[];
  readonly contributions?: readonly RowContributions[];
}

/**
 * The JSON text of an online features response, byte for byte what `JSON.stringify` gives
 * (the tests compare them on random responses), written for the shape: a column's statuses
 * and timestamps are usually the same as the previous column's (one view's features share
 * their rows' timestamps; most values are PRESENT), so their text is reused; short texts that need
 * no escaping (statuses, ISO timestamps, plain names) are quoted directly. On a 100
 * entities x 50 features response of the bench (loaded machine, same process) it took 0.5-1.3
 * ms against 0.7-2.1 ms for `JSON.stringify` and 5-9 ms for Fastify's schema serializer
 * (fast-json-stringify, which tests every value of a multi-type array against each type).
 */
export function onlineFeaturesJson(response: OnlineFeaturesResponse): string {
  return `{"metadata":{"feature_names":${stringArray(response.metadata.feature_names)}},"results":${columnsJson(response.results)}}`;
}

/** The JSON text of a `/predict` response (as `JSON.stringify` writes it). */
export function predictJson(response: PredictResponse): string {
  const { metadata, results, probabilities, contributions } = response;
  const { model } = metadata;
  const head = `{"metadata":{"feature_names":${stringArray(metadata.feature_names)},"model":{"path":${stringJson(model.path)},"modified_at":${stringJson(model.modified_at)},"features":${stringArray(model.features)}}},"results":${columnsJson(results)},"probabilities":${JSON.stringify(probabilities)}`;
  return contributions === undefined
    ? `${head}}`
    : `${head},"contributions":${JSON.stringify(contributions)}}`;
}

/** The `results` array of a response: `[{"values":…,"statuses":…,"event_timestamps":…}, …]`. */
export function columnsJson(columns: readonly OnlineFeatureColumn[]): string {
  let out = '[';
  let lastStatuses: readonly string[] | undefined;
  let lastStatusesText = '';
  let lastTimestamps: readonly string[] | undefined;
  let lastTimestampsText = '';
  for (let c = 0; c < columns.length; c++) {
    const column = columns[c]!;
    if (lastStatuses === undefined || !sameStrings(column.statuses, lastStatuses)) {
      lastStatuses = column.statuses;
      lastStatusesText = stringArray(column.statuses);
    }
    if (lastTimestamps === undefined || !sameStrings(column.event_timestamps, lastTimestamps)) {
      lastTimestamps = column.event_timestamps;
      lastTimestampsText = stringArray(column.event_timestamps);
    }
    if (c > 0) out += ',';
    out += `{"values":${valueArray(column.values)},"statuses":${lastStatusesText},"event_timestamps":${lastTimestampsText}}`;
  }
  return `${out}]`;
}

function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function valueArray(values: readonly OnlineValue[]): string {
  // Long arrays: JSON.stringify's native loop formats numbers faster than concatenation.
  if (values.length > 8) return JSON.stringify(values);
  let out = '[';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += ',';
    out += valueJson(values[i]);
  }
  return `${out}]`;
}

function valueJson(value: OnlineValue | undefined): string {
  switch (typeof value) {
    case 'number':
      // JSON.stringify writes NaN and ±Infinity as null, -0 as 0 (as `${-0}` does).
      return Number.isFinite(value) ? `${value}` : 'null';
    case 'string':
      return stringJson(value);
    case 'boolean':
      return value ? 'true' : 'false';
    default:
      // null; undefined in an array is null too in JSON.stringify.
      return 'null';
  }
}

function stringArray(values: readonly string[]): string {
  let out = '[';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += ',';
    out += stringJson(values[i]);
  }
  return `${out}]`;
}

function stringJson(value: string | undefined): string {
  if (value === undefined) return 'null';
  return value.length < 64 && plain(value) ? `"${value}"` : JSON.stringify(value);
}

/**
 * No character JSON.stringify escapes: '"', '\', controls, and lone surrogates (escaped as
 * \udXXX since ES2019; any surrogate sends the text to JSON.stringify).
 */
function plain(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return false;
  }
  return true;
}
