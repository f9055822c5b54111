export { COLUMN_NAMES, FIELDS } from './columns.js';
export { type IngestOptions, type IngestResult, ingest } from './ingest.js';
