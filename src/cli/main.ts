import { createRequire } from 'node:module';
import { Command, CommanderError } from 'commander';
import { commands } from './commands/index.js';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

/** Build the `duckfeat` command-line program. */
export function createProgram(): Command {
  const program = new Command('duckfeat')
    .description('An embedded, SQL-centric feature store driven by DuckDB')
    .version(version)
    .option('--repo <dir>', 'feature repository folder', 'feature_store')
    .option('--verbose', 'show debug output and stack traces', false)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const register of commands) register(program);
  return program;
}

/** Run the CLI; returns the process exit code (2 for usage errors). */
export async function main(argv: string[]): Promise<number> {
  const program = createProgram();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? 0 : 2;
    }
    throw error;
  }
  return typeof process.exitCode === 'number' ? process.exitCode : 0;
}
