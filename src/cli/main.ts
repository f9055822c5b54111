import { createRequire } from 'node:module';
import { Command, CommanderError } from 'commander';
import { commands } from './commands/index.js';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

/**
 * One line per command for `duckfeat --help` (each command's long `.description()` stays
 * for `duckfeat <command> --help`). A command missing here is listed with the first
 * sentence of its description.
 */
const SUMMARIES: Record<string, string> = {
  synth: 'generate synthetic Online Retail data',
  ingest: 'clean raw transactions into a parquet (cached)',
  prep: 'compute feature views and labels per cutoff',
  worker: 'run prep and materialize tasks from Redis (bullmq)',
  plan: 'show what `apply` would change in the registry',
  apply: 'sync the feature repository to the registry',
  teardown: "remove the project's objects from the registry",
  list: 'list views, services, entities, materializations',
  describe: 'print one registered object as JSON',
  sql: 'print the point-in-time retrieval SQL',
  retrieve: 'write point-in-time features to parquet',
  train: 'train the purchase model (or --data parquet)',
  predict: 'score every customer at the latest cutoff',
  report: 'rebuild models/report.html from metrics.json',
  materialize: 'copy the latest row per key of each view online',
  'materialize-incremental': 'the same for rows newer than the last run',
  serve: 'run the HTTP feature server and /predict',
};

const EXIT_CODES = `
Exit codes:
  0    success
  1    failure (one line on stderr naming what failed; --verbose adds the stack)
  2    usage error (unknown command or option, missing argument)
  130  interrupted (Ctrl-C)

Environment:
  DUCKFEAT_REGISTRY_URL  postgresql:// URL of the registry (default: embedded PGlite
                         under <repo>/.registry/)
  DUCKFEAT_QUEUE_URL     redis:// URL of the bullmq executor's task queue (default:
                         redis://127.0.0.1:6379)
  DUCKFEAT_SERVE_TOKEN   bearer token \`duckfeat serve\` requires (default: none)
  DUCKFEAT_ONLINE_URL    redis:// URL of the online store (default: embedded SQLite
                         under <repo>/online/)
  NO_COLOR               no colors (colors are used only on a terminal anyway)

The whole pipeline: npx zx scripts/all.mjs [--input PATH]`;

/** Build the `duckfeat` command-line program. */
export function createProgram(): Command {
  const program = new Command('duckfeat')
    .description('An embedded, SQL-centric feature store driven by DuckDB')
    .version(version)
    .option('--repo <dir>', 'feature repository folder', 'feature_store')
    .option('--verbose', 'show debug output and stack traces', false)
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', EXIT_CODES)
    // Command terms without "[options]", so that the longest (materialize-incremental)
    // leaves room for every summary on one line of 80 columns.
    .configureHelp({ subcommandTerm: commandTerm })
    .exitOverride();
  for (const register of commands) register(program);
  for (const command of program.commands) {
    if (!command.summary()) {
      command.summary(SUMMARIES[command.name()] ?? firstSentence(command.description()));
    }
    command.showHelpAfterError(`(run \`duckfeat ${command.name()} --help\` for usage)`);
  }
  return program;
}

function commandTerm(command: Command): string {
  const args = command.registeredArguments.map((a) => {
    const name = `${a.name()}${a.variadic ? '...' : ''}`;
    return a.required ? `<${name}>` : `[${name}]`;
  });
  return [command.name(), ...args].join(' ');
}

function firstSentence(text: string): string {
  const end = text.search(/[.:;](\s|$)/);
  return end > 0 ? text.slice(0, end) : text;
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
