import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProgram } from '../../src/cli/main.js';
import { PROJECT, run } from '../pipeline/project-copy.js';

const BIN = join(PROJECT, 'bin', 'duckfeat.js');
const COMMANDS = createProgram().commands.map((c) => c.name());
/** Commands whose output is data: each has --json. */
const DATA_COMMANDS = [
  'synth',
  'ingest',
  'prep',
  'plan',
  'apply',
  'list',
  'describe',
  'retrieve',
  'train',
  'predict',
];

let cwd: string;
beforeAll(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'duckfeat-cli-'));
});
afterAll(() => rm(cwd, { recursive: true, force: true }));

const cli = (args: string[]) => run(process.execPath, [BIN, ...args], cwd);

describe('duckfeat --help', () => {
  it('lists every command with a one-line summary and documents the exit codes', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    for (const name of COMMANDS) {
      const line = r.stdout.split('\n').find((l) => l.startsWith(`  ${name} `));
      expect(line, name).toBeDefined();
      // One line: the next line starts another command (or ends the list).
      const next = r.stdout.split('\n')[r.stdout.split('\n').indexOf(line!) + 1]!;
      expect(next.startsWith('  ') && !next.startsWith('   '), `${name}: ${next}`).toBe(true);
    }
    for (const code of ['0 ', '1 ', '2 ', '130 ']) expect(r.stdout).toContain(`\n  ${code}`);
    expect(r.stdout).toContain('DUCKFEAT_REGISTRY_URL');
  });

  it.each(COMMANDS)('%s --help exits 0 with the long description and options', async (name) => {
    const r = await cli([name, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Usage: duckfeat ${name}`);
    expect(r.stderr).toBe('');
    const description = createProgram()
      .commands.find((c) => c.name() === name)!
      .description();
    expect(r.stdout.replace(/\s+/g, ' ')).toContain(description.replace(/\s+/g, ' '));
  });

  it('has the global --repo and --verbose, and --json on every data command', () => {
    const program = createProgram();
    const globals = program.options.map((o) => o.long);
    expect(globals).toEqual(expect.arrayContaining(['--repo', '--verbose']));
    for (const name of DATA_COMMANDS) {
      const command = program.commands.find((c) => c.name() === name)!;
      expect(
        command.options.map((o) => o.long),
        name,
      ).toContain('--json');
    }
  });
});

describe('usage errors exit 2', () => {
  it('an unknown command', async () => {
    const r = await cli(['no-such-command']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown command 'no-such-command'");
  });

  it('an unknown option, on the program and on a command', async () => {
    for (const args of [['--no-such-option'], ['train', '--no-such-option']]) {
      const r = await cli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain("unknown option '--no-such-option'");
    }
  });

  it('a missing required option', async () => {
    const r = await cli(['sql', '--entity', 'x.parquet']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--features');
  });
});

describe('failures exit 1 with one plain line on stderr', () => {
  it('a failing command, without colors when stderr is not a terminal', async () => {
    const r = await run(process.execPath, [BIN, 'train'], cwd, { NO_COLOR: undefined });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^error: Failed to load repository: feature_store\/feature_store\.ts does not exist .*\n$/,
    );
    expect(r.stderr).not.toContain('\u001b[');
  });
});

describe('a closed stdout (| head)', () => {
  it('help piped into head -1 ends quietly', async () => {
    const r = await run('sh', ['-c', `"${process.execPath}" "${BIN}" --help | head -1`], cwd);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('Usage: duckfeat [options] [command]\n');
    expect(r.stderr).toBe('');
  });

  it('a reader that closes before anything is written: exit 0, no stack trace', async () => {
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [BIN, '--help'], {
        cwd,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout.destroy();
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      child.on('close', (code) => resolve({ code, stderr }));
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });
});
