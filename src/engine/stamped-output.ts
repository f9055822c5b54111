import type { DuckDBConnection } from '@duckdb/node-api';
import { duckdb } from '../duckdb/api.js';
import { PARQUET_FORMAT } from '../duckdb/parquet.js';
import {
  stampParameter,
  UNIQUE_STAMP_OPTION,
  type UniqueStamp,
  unsortedRowsSql,
} from '../duckdb/unique-stamp.js';
import { quoteIdentifier as q } from '../sql/identifiers.js';

/**
 * Write `partitions` into one parquet file at `target`, sorted by (`timestamp`, …`keys`),
 * with a uniqueness stamp in its key-value metadata (`duckfeat.unique`: keys, timestamp,
 * order, row count) when the rows are unique on them, so that a retrieval reading the file
 * skips both the uniqueness check and the deduplication. The claim is checked, not assumed:
 * the file is written with the stamp, then read back in one streaming pass (each row after
 * the one before it, strictly, by the sort); should a feature query have produced two rows
 * for the same keys and cutoff, the file is written again without the stamp. Returns the
 * number of rows written.
 *
 * @example
 * const rows = await writeStampedOutput(connection, partitionPaths, tempPath, {
 *   keys: ['customer_id'],
 *   timestamp: 'event_timestamp',
 * });
 */
export async function writeStampedOutput(
  connection: DuckDBConnection,
  partitions: readonly string[],
  target: string,
  columns: { readonly keys: readonly string[]; readonly timestamp: string },
): Promise<number> {
  const order = [columns.timestamp, ...columns.keys];
  const select = `SELECT * FROM read_parquet($partitions) ORDER BY ${order.map(q).join(', ')}`;
  const partitionList = duckdb.listValue([...partitions]);
  // The partitions' footers give the count without reading their rows.
  const counted = await connection.runAndReadAll('SELECT count(*) FROM read_parquet($partitions)', {
    partitions: partitionList,
  });
  const rows = Number(counted.getRows()[0]?.[0] ?? 0);
  const stamp: UniqueStamp = { keys: columns.keys, timestamp: columns.timestamp, order, rows };
  await connection.run(`COPY (${select}) TO $target (${PARQUET_FORMAT}, ${UNIQUE_STAMP_OPTION})`, {
    partitions: partitionList,
    target,
    ...stampParameter(stamp),
  });
  const check = await connection.runAndReadAll(
    unsortedRowsSql(order.map(q), 'read_parquet($target)'),
    { target },
  );
  if (Number(check.getRows()[0]?.[0]) === 0) return rows;
  await connection.run(`COPY (${select}) TO $target (${PARQUET_FORMAT})`, {
    partitions: partitionList,
    target,
  });
  return rows;
}
