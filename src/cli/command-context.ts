import type { Command } from 'commander';
import { type ProjectPaths, projectPaths } from '../config/paths.js';
import { DuckfeatError } from '../errors.js';
import { createOutput, type Output } from './output.js';

/** What every command action gets: the global options resolved. */
export interface CommandContext {
  readonly paths: ProjectPaths;
  readonly out: Output;
  readonly verbose: boolean;
}

interface GlobalOptions {
  repo?: string;
  verbose?: boolean;
  json?: boolean;
}

/**
 * Wrap a command action: resolve the global options, run it, and turn errors into one
 * line on stderr and an exit code (the stack only with --verbose).
 */
export function action<Opts>(
  handler: (options: Opts, context: CommandContext, command: Command) => Promise<void>,
): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command;
    const options = command.optsWithGlobals() as Opts & GlobalOptions;
    const out = createOutput({ verbose: options.verbose, json: options.json });
    const context: CommandContext = {
      paths: projectPaths({ repo: options.repo }),
      out,
      verbose: options.verbose ?? false,
    };
    try {
      await handler(options, context, command);
    } catch (error) {
      process.exitCode = reportError(error, out);
    }
  };
}

/** Print an error the way the CLI does and return the exit code to use. */
export function reportError(error: unknown, out: Output): number {
  if (error instanceof DuckfeatError) {
    out.error(error.message);
    if (out.verbose && error.stack) process.stderr.write(`${error.stack}\n`);
    if (out.verbose && error.cause instanceof Error && error.cause.stack) {
      process.stderr.write(`caused by: ${error.cause.stack}\n`);
    }
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  out.error(`unexpected failure: ${message}`);
  if (out.verbose && error instanceof Error && error.stack)
    process.stderr.write(`${error.stack}\n`);
  else out.error('run again with --verbose for the stack trace');
  return 1;
}
