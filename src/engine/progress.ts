import cliProgress from 'cli-progress';

import type { Task, TaskResult } from './task.js';

const { SingleBar, Presets } = cliProgress;
type SingleBar = cliProgress.SingleBar;

/** What `prep` reports while it runs (for a progress bar or log lines). */
export type PrepProgress =
  | { kind: 'planned'; total: number; reused: number; cutoffs: string[] }
  | { kind: 'task'; task: Task; result: TaskResult; done: number; total: number; rows: number }
  | { kind: 'writing' };

/** Renders {@link PrepProgress}: a bar on a TTY, one plain line per task otherwise. */
export interface ProgressReporter {
  onProgress(event: PrepProgress): void;
  /** Remove the bar (call in `finally`). */
  stop(): void;
}

/**
 * A progress reporter writing to `stream` (stderr by default, so stdout stays data).
 *
 * @example
 * const progress = createProgressReporter();
 * try { await prep({ ...options, onProgress: progress.onProgress }); } finally { progress.stop(); }
 */
export function createProgressReporter(
  options: {
    stream?: NodeJS.WriteStream | undefined;
    tty?: boolean | undefined;
    quiet?: boolean | undefined;
  } = {},
): ProgressReporter {
  const stream = options.stream ?? process.stderr;
  const tty = options.tty ?? Boolean(stream.isTTY);
  let bar: SingleBar | undefined;
  const write = (line: string) => {
    if (!options.quiet) stream.write(`${line}\n`);
  };
  return {
    onProgress(event) {
      switch (event.kind) {
        case 'planned':
          write(
            `${event.total} tasks over ${event.cutoffs.length} cutoffs (${event.cutoffs[0]} … ${event.cutoffs.at(-1)}): ${event.reused} reused, ${event.total - event.reused} to compute`,
          );
          if (tty && !options.quiet && event.reused < event.total) {
            bar = new SingleBar(
              {
                stream,
                format: '  tasks {bar} {value}/{total} | {rows} rows | {last}',
                hideCursor: true,
                clearOnComplete: true,
              },
              Presets.shades_classic,
            );
            bar.start(event.total, event.reused, { rows: 0, last: '' });
          }
          break;
        case 'task':
          if (bar) {
            bar.update(event.done, {
              rows: event.rows.toLocaleString('en-US'),
              last: `${event.task.view} @ ${event.task.cutoff}`,
            });
          } else {
            write(
              `  [${event.done}/${event.total}] ${event.task.view} @ ${event.task.cutoff}: ${event.result.rows.toLocaleString('en-US')} rows in ${event.result.durationMs} ms`,
            );
          }
          break;
        case 'writing':
          bar?.stop();
          bar = undefined;
          break;
      }
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}
