import type { Command } from 'commander';
import { InputError } from '../../errors.js';
import { renderCompiledSql, writeCompiledSql } from '../../retrieval/compiled-sql-writer.js';
import type { HistoricalFeaturesRequest } from '../../retrieval/request.js';
import { action } from '../command-context.js';
import type { RegisterCommand } from './index.js';

export const registerSql: RegisterCommand = (program) => {
  retrievalOptions(
    program
      .command('sql')
      .description(
        'Print the point-in-time retrieval SQL for entity rows and features (one ASOF LEFT JOIN per feature view; bound parameters in a header comment) and write it to target/compiled/<name>.sql. Nothing is run.',
      ),
  ).action(
    action<RetrievalCliOptions>(async (opts, ctx) => {
      const request = requestFromOptions(opts);
      const { FeatureStore } = await import('../../retrieval/feature-store.js');
      const store = await FeatureStore.open({ paths: ctx.paths, onWarning: ctx.out.warn });
      try {
        const compiled = await store.compile(request);
        const path = await writeCompiledSql(ctx.paths.compiled, compiled.name, compiled);
        process.stdout.write(renderCompiledSql(compiled));
        ctx.out.debug(`written to ${path}`);
      } finally {
        await store.close();
      }
    }),
  );
};

/** The request options `sql` and `retrieve` share, as commander parses them. */
export interface RetrievalCliOptions {
  entity?: string;
  start?: string;
  end?: string;
  asOfColumn?: string;
  features: string;
  fullFeatureNames?: boolean;
  ttl: string[];
  asOf?: string;
  freshness?: boolean;
  rowId?: boolean;
  name?: string;
}

/** Add the request options of a retrieval to a command (shared with `retrieve`). */
export function retrievalOptions(command: Command): Command {
  return command
    .option(
      '--entity <path>',
      'entity rows: a .parquet or .csv file (join keys + event_timestamp, or exactly one timestamp column); or give --start and --end',
    )
    .option(
      '--start <timestamp>',
      'without --entity: every key of the views at each of its feature timestamps from this time (UTC, inclusive)…',
    )
    .option('--end <timestamp>', '…to this time (UTC, inclusive)')
    .requiredOption(
      '--features <refs>',
      'comma-separated view:feature or view:* references, or one feature service name',
    )
    .option('--full-feature-names', 'name output columns view__feature', false)
    .option(
      '--ttl <view=duration>',
      'override a view TTL, e.g. customer_rfm=90d (s, m, h, d, w; 0 = unbounded); repeatable',
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .option(
      '--as-of <timestamp>',
      'knowledge time: only feature rows created at or before it (UTC)',
    )
    .option(
      '--as-of-column <column>',
      "knowledge time per entity row: only feature rows created at or before that row's value (NULL: any)",
    )
    .option(
      '--freshness',
      'add view__event_timestamp (the matched feature timestamp) per view',
      false,
    )
    .option('--row-id', 'add a row_id column numbering the entity rows from 1', false)
    .option(
      '--name <name>',
      'file name under target/compiled/ (default: the service name or historical_features)',
    );
}

/** The request the options describe. */
export function requestFromOptions(opts: RetrievalCliOptions): HistoricalFeaturesRequest {
  const ttlOverride: Record<string, string> = {};
  for (const item of opts.ttl) {
    const eq = item.indexOf('=');
    if (eq <= 0 || eq === item.length - 1) {
      throw new InputError(
        `Failed to read --ttl: "${item}" is not VIEW=DURATION (e.g. customer_rfm=90d)`,
      );
    }
    ttlOverride[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return {
    ...(opts.entity !== undefined ? { entities: { path: opts.entity } } : {}),
    ...(opts.start !== undefined ? { start: opts.start } : {}),
    ...(opts.end !== undefined ? { end: opts.end } : {}),
    ...(opts.asOfColumn !== undefined ? { asOfColumn: opts.asOfColumn } : {}),
    features: opts.features,
    fullFeatureNames: opts.fullFeatureNames ?? false,
    ttlOverride,
    ...(opts.asOf !== undefined ? { asOf: opts.asOf } : {}),
    freshness: opts.freshness ?? false,
    rowId: opts.rowId ?? false,
    ...(opts.name !== undefined ? { name: opts.name } : {}),
  };
}
