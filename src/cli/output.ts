import pc from 'picocolors';

/**
 * Console output for CLI commands: human lines on stdout, problems on stderr, colors only
 * when the stream is a TTY (picocolors also honours NO_COLOR / FORCE_COLOR).
 */
export interface Output {
  readonly verbose: boolean;
  readonly json: boolean;
  /** A normal line on stdout; in --json mode on stderr, as stdout then holds only the data. */
  info(line: string): void;
  /** A line shown only with --verbose, on stderr. */
  debug(line: string): void;
  warn(line: string): void;
  error(line: string): void;
  /** Data for --json mode: pretty JSON on stdout. */
  data(value: unknown): void;
}

export function createOutput(
  options: { verbose?: boolean | undefined; json?: boolean | undefined } = {},
): Output {
  const verbose = options.verbose ?? false;
  const json = options.json ?? false;
  const errColors = pc.createColors(Boolean(process.stderr.isTTY) && pc.isColorSupported);
  return {
    verbose,
    json,
    info: (line) => {
      if (json) process.stderr.write(`${line}\n`);
      else process.stdout.write(`${line}\n`);
    },
    debug: (line) => {
      if (verbose) process.stderr.write(`${errColors.dim(line)}\n`);
    },
    warn: (line) => process.stderr.write(`${errColors.yellow('warning:')} ${line}\n`),
    error: (line) => process.stderr.write(`${errColors.red('error:')} ${line}\n`),
    data: (value) =>
      process.stdout.write(
        `${JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? Number(v) : v), 2)}\n`,
      ),
  };
}
