/**
 * One (feature view × cutoff) materialization: what `prep` computed, and what the registry
 * records (`Registry.applyMaterializations`) and lists back with its `recordedAt`.
 * Timestamps are UTC text: ISO 8601 (`2011-03-01T08:26:00.000Z`) or
 * `YYYY-MM-DD HH:MM:SS[.ffffff]`.
 *
 * @example
 * const record: MaterializationRecord = {
 *   view: 'customer_rfm_features', cutoff: '2011-03-01 08:26:00', rows: 4338,
 *   sqlSha256, inputFingerprint, startedAt, finishedAt, durationMs: 812,
 * };
 */
export interface MaterializationRecord {
  readonly view: string;
  readonly cutoff: string;
  readonly rows: number;
  /** sha256 of the SQL file's text. */
  readonly sqlSha256: string;
  /** Fingerprint of the input data the SQL read. */
  readonly inputFingerprint: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationMs: number;
}
