/**
 * The options of every parquet file duckfeat writes (`COPY … TO … (${PARQUET_FORMAT})`).
 *
 * `DICTIONARY_SIZE_LIMIT` caps a column's dictionary at 16 KiB (2,048 eight-byte values):
 * columns with few distinct values (flags, counts, categories, day numbers) are still
 * dictionary-encoded, and continuous ones (amounts, rates) give up on the dictionary after a
 * few thousand values instead of DuckDB analyzing a much larger one for each row group. On a
 * 10M-row × 12-column retrieval result the file has the same size (301 MB) and the same
 * encoding per column, and the write takes 2.8 s instead of 3.4 s (BENCHMARKS.md,
 * "Point-in-time retrieval").
 */
export const PARQUET_FORMAT = 'FORMAT parquet, DICTIONARY_SIZE_LIMIT 16384';
