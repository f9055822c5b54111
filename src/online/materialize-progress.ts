import cliProgress from 'cli-progress';
import type { MaterializeProgress } from './materialize.js';

const { SingleBar, Presets } = cliProgress;

/**
 * Renders {@link MaterializeProgress} as `prep` renders its own: a bar on a TTY (views done,
 * rows written), one plain line per view otherwise (and per batch with `verbose`); on
 * stderr, so stdout stays data.
 *
 * @example
 * const progress = createMaterializeReporter();
 * try { await materialize({ paths, onProgress: progress.onProgress }) } finally { progress.stop() }
 */
export function createMaterializeReporter(
  options: { stream?: NodeJS.WriteStream; tty?: boolean; quiet?: boolean; verbose?: boolean } = {},
): { onProgress(event: MaterializeProgress): void; stop(): void } {
  const stream = options.stream ?? process.stderr;
  const tty = options.tty ?? Boolean(stream.isTTY);
  let bar: cliProgress.SingleBar | undefined;
  const write = (line: string) => {
    if (!options.quiet) stream.write(`${line}\n`);
  };
  const count = (n: number) => n.toLocaleString('en-US');
  return {
    onProgress(event) {
      switch (event.kind) {
        case 'planned':
          write(`materialize ${event.views.length} views up to ${event.end} into ${event.store}`);
          if (tty && !options.quiet) {
            bar = new SingleBar(
              {
                stream,
                format: '  views {bar} {value}/{total} | {rows} rows | {last}',
                hideCursor: true,
                clearOnComplete: true,
              },
              Presets.shades_classic,
            );
            bar.start(event.views.length, 0, { rows: 0, last: '' });
          }
          break;
        case 'view':
          bar?.update({ last: event.view, rows: 0 });
          break;
        case 'rows':
          if (bar) bar.update({ rows: count(event.rows) });
          else if (options.verbose) write(`    ${event.view}: ${count(event.rows)} rows sent`);
          break;
        case 'done': {
          const r = event.result;
          const window = `${r.start === null ? '' : `(${r.start}, `}${r.end}${r.start === null ? '' : ']'}`;
          if (bar) bar.update(event.done, { rows: count(r.rows), last: r.view });
          else
            write(
              r.upToDate
                ? `  [${event.done}/${event.total}] ${r.view}: up to date (last run ended ${r.end})`
                : `  [${event.done}/${event.total}] ${r.view} ${r.start === null ? '<= ' : ''}${window}: ${count(r.rows)} rows in ${Math.round(r.durationMs)} ms`,
            );
          break;
        }
      }
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}
