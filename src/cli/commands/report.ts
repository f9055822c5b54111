import { join, relative } from 'node:path';
import { resolveFrom } from '../../config/paths.js';
import { action } from '../command-context.js';
import type { RegisterCommand } from './index.js';

interface ReportOptions {
  metrics?: string;
  out?: string;
}

/** `duckfeat report`: rebuild models/report.html from the metrics the last `train` saved. */
export const registerReport: RegisterCommand = (program) => {
  program
    .command('report')
    .description(
      'Rebuild the model report (a self-contained HTML page with ROC, precision–recall and calibration curves, score distribution, feature importance, metrics, data summary and parameters) from the metrics saved by `train`',
    )
    .option('--metrics <path>', 'metrics saved by `duckfeat train` (default: models/metrics.json)')
    .option('--out <path>', 'where to write the page (default: models/report.html)')
    .action(
      action<ReportOptions>(async (options, ctx) => {
        const metricsPath = options.metrics
          ? resolveFrom(process.cwd(), options.metrics)
          : join(ctx.paths.models, 'metrics.json');
        const outPath = options.out
          ? resolveFrom(process.cwd(), options.out)
          : join(ctx.paths.models, 'report.html');
        // Loaded here, not at the top: Vega is only needed by this command.
        const { readReportInput } = await import('../../report/report-input-file.js');
        const { writeReport } = await import('../../report/write-report.js');
        const input = await readReportInput(displayPath(metricsPath));
        const bytes = await writeReport(input, outPath);
        ctx.out.info(`wrote ${displayPath(outPath)} (${(bytes / 1024).toFixed(0)} KiB)`);
      }),
    );
};

/** A path relative to the working directory when it is below it (shorter messages). */
function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
}
