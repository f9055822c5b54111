import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project checkout the tests run from. */
export const PROJECT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The shared UCI data (541,909 rows), beside the project as in CI. */
export const REAL_DATA = resolve(PROJECT, '..', 'shared', 'data', 'online_retail.parquet');

/** What a project folder needs to run the pipeline (the build, SQL, scripts, repository). */
const COPIED = [
  'bin',
  'dist',
  'sql',
  'scripts',
  'package.json',
  'feature_store/feature_store.ts',
  'examples',
];

/**
 * A fresh copy of the project in a temporary folder: no data, models, registry or caches,
 * `node_modules` symlinked. Remove it with `dispose()`.
 *
 * @example
 * const project = await projectCopy();
 * try { await run('node', ['bin/duckfeat.js', 'prep'], project.root); } finally { await project.dispose(); }
 */
export async function projectCopy(): Promise<{ root: string; dispose: () => Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'duckfeat-project-'));
  await mkdir(join(root, 'feature_store'));
  for (const item of COPIED) {
    await cp(join(PROJECT, item), join(root, item), { recursive: true });
  }
  await symlink(join(PROJECT, 'node_modules'), join(root, 'node_modules'), 'dir');
  return { root, dispose: () => rm(root, { recursive: true, force: true }) };
}

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run a command to completion (no shell), capturing its output; never throws on exit codes. */
export function run(
  command: string,
  args: readonly string[],
  cwd: string,
  env: Record<string, string | undefined> = {},
): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, {
      cwd,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

/** Run `duckfeat <args>` from the copy's bin/. */
export function duckfeat(root: string, args: readonly string[]): Promise<RunResult> {
  return run(process.execPath, [join(root, 'bin', 'duckfeat.js'), ...args], root);
}

/** Run `npx zx scripts/all.mjs <args>` in the copy (zx from the symlinked node_modules). */
export function pipeline(root: string, args: readonly string[]): Promise<RunResult> {
  return run('npx', ['zx', 'scripts/all.mjs', ...args], root);
}
