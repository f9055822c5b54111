import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import { duckdb } from '../duckdb/api.js';
import { quoteIdentifier as q } from '../sql/identifiers.js';
import { isTimestampValue, MEMORY_TABLE, type MemoryColumn, ROW_COLUMN } from './entity-input.js';

/**
 * Load in-memory entity rows into the temporary table the compiled SQL reads, with the
 * row number column that keeps their order. Replaces the table if it exists.
 */
export async function loadMemoryTable(
  connection: DuckDBConnection,
  columns: readonly MemoryColumn[],
): Promise<void> {
  const definition = [
    ...columns.map((c) => `${q(c.name)} ${c.type}`),
    `${q(ROW_COLUMN)} BIGINT`,
  ].join(', ');
  await connection.run(`CREATE OR REPLACE TEMPORARY TABLE ${q(MEMORY_TABLE)} (${definition})`);
  const appender = await connection.createAppender(MEMORY_TABLE);
  try {
    const rowCount = columns[0]?.values.length ?? 0;
    const writers = columns.map((c) => writerFor(appender, c.type));
    for (let i = 0; i < rowCount; i++) {
      for (let k = 0; k < columns.length; k++) {
        const value = columns[k]!.values[i];
        if (value === null || value === undefined) appender.appendNull();
        else writers[k]!(value);
      }
      appender.appendBigInt(BigInt(i + 1));
      appender.endRow();
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}

function writerFor(appender: DuckDBAppender, type: MemoryColumn['type']): (value: unknown) => void {
  switch (type) {
    case 'BIGINT':
      return (v) => appender.appendBigInt(typeof v === 'bigint' ? v : BigInt(v as number));
    case 'DOUBLE':
      return (v) => appender.appendDouble(v as number);
    case 'VARCHAR':
      return (v) => appender.appendVarchar(v as string);
    case 'BOOLEAN':
      return (v) => appender.appendBoolean(v as boolean);
    case 'TIMESTAMP':
      return (v) =>
        appender.appendTimestamp(
          isTimestampValue(v)
            ? new duckdb.DuckDBTimestampValue(v.micros)
            : new duckdb.DuckDBTimestampValue(BigInt((v as Date).getTime()) * 1000n),
        );
  }
}
