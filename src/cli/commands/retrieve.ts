import { resolve } from 'node:path';
import { action } from '../command-context.js';
import type { RegisterCommand } from './index.js';
import { type RetrievalCliOptions, requestFromOptions, retrievalOptions } from './sql.js';

interface RetrieveOptions extends RetrievalCliOptions {
  out: string;
  json?: boolean;
}

export const registerRetrieve: RegisterCommand = (program) => {
  retrievalOptions(
    program
      .command('retrieve')
      .description(
        'Retrieve point-in-time correct features for entity rows and write them to a parquet file (atomically: the file appears complete or not at all). One output row per entity row, in input order.',
      ),
  )
    .requiredOption('--out <path>', 'the parquet file to write')
    .option('--json', 'print the result summary as JSON', false)
    .action(
      action<RetrieveOptions>(async (opts, ctx) => {
        const request = requestFromOptions(opts);
        const out = resolve(opts.out);
        const { FeatureStore } = await import('../../retrieval/feature-store.js');
        const store = await FeatureStore.open({ paths: ctx.paths, onWarning: ctx.out.warn });
        try {
          const started = performance.now();
          const job = await store.getHistoricalFeatures(request);
          const rows = await job.toParquet(out);
          const seconds = (performance.now() - started) / 1000;
          if (opts.json)
            ctx.out.data({ out, rows, columns: job.columns.map((c) => c.name), seconds });
          else
            ctx.out.info(
              `wrote ${rows} rows × ${job.columns.length} columns to ${out} in ${seconds.toFixed(2)} s`,
            );
        } finally {
          await store.close();
        }
      }),
    );
};
