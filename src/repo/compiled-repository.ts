import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { writeAtomically } from '../util/atomic-file.js';

/** Where compiled repository files are kept: a folder beside `feature_store.ts`. */
export const COMPILED_DIR = '.duckfeat-cache';

/** Bumped when what is written here changes meaning (the checks, the transform options). */
const FORMAT = 'feature-store-esm-1';

type Transform = (
  code: string,
  options: Record<string, unknown>,
) => { code: string; warnings: unknown[] };

/**
 * `feature_store.ts` as plain JavaScript, compiled once per content and kept in
 * `<repo>/.duckfeat-cache/`, so that loading it needs neither tsx's module hooks (in Node 20
 * a loader thread through which every later import of the process passes: ~0.4 s of CPU and
 * ~1 s of a `prep` at load 9) nor a TypeScript transform. Only a file that is alone — it
 * imports nothing but `duckfeat`, `duckfeat/…` and `node:` modules, and uses no
 * `import.meta`, `import()`, `require` or `__dirname` — is compiled: moved to another folder,
 * it means the same. Returns the compiled file's path, or undefined when the file must be
 * loaded through tsx (it is not alone, the transform failed, or the folder is not
 * writable); that answer is cached too.
 *
 * The transform is esbuild's, as tsx's (tsx depends on esbuild; it is loaded from there,
 * and only when the file changed).
 */
export async function compiledRepositoryFile(file: string): Promise<string | undefined> {
  const source = readFileSync(file, 'utf8');
  const dir = join(dirname(file), COMPILED_DIR);
  const stem = basename(file).replace(/\.[cm]?ts$/, '');
  const key = createHash('sha256')
    .update(`${FORMAT}\0${tsxVersion()}\0${process.versions.node}\0${source}`)
    .digest('hex')
    .slice(0, 16);
  const compiled = join(dir, `${stem}.${key}.mjs`);
  const needsTsx = join(dir, `${stem}.${key}.tsx`);
  if (existsSync(compiled)) return compiled;
  if (existsSync(needsTsx)) return undefined;

  const code = compile(source, file);
  const target = code !== undefined && isAlone(code) ? compiled : needsTsx;
  try {
    await writeAtomically(target, (temp) => writeFile(temp, target === compiled ? code! : ''));
    await removeOthers(dir, stem, basename(target));
  } catch {
    return undefined; // a read-only folder: load through tsx
  }
  return target === compiled ? compiled : undefined;
}

function compile(source: string, file: string): string | undefined {
  try {
    const result = esbuildTransform()(source, {
      loader: 'ts',
      format: 'esm',
      target: `node${process.versions.node}`,
      sourcefile: file,
      keepNames: true,
    });
    return result.code;
  } catch {
    return undefined; // tsx reports the error the way it always has
  }
}

const STATIC_IMPORT = /^\s*(?:import|export)\s+(?:[\w$*{},\s]+\s+from\s+)?["']([^"']+)["']/gm;
const ALLOWED = /^(?:duckfeat(?:\/[\w./-]+)?|node:[\w/]+)$/;
const LOCATION_DEPENDENT =
  /\bimport\s*\(|\bimport\.meta\b|\brequire\b|\b__dirname\b|\b__filename\b/;

/**
 * True when the compiled code imports only packages (`duckfeat…`, `node:…`) and nothing
 * about it depends on where the file is (conservative: a mention in a string counts).
 */
export function isAlone(code: string): boolean {
  if (LOCATION_DEPENDENT.test(code)) return false;
  return [...code.matchAll(STATIC_IMPORT)].every((m) => ALLOWED.test(m[1]!));
}

async function removeOthers(dir: string, stem: string, keep: string): Promise<void> {
  for (const name of await readdir(dir)) {
    if (name !== keep && name.startsWith(`${stem}.`) && /\.(mjs|tsx)$/.test(name)) {
      await rm(join(dir, name), { force: true });
    }
  }
}

const require = createRequire(import.meta.url);

function tsxVersion(): string {
  return (require('tsx/package.json') as { version: string }).version;
}

let transform: Transform | undefined;
function esbuildTransform(): Transform {
  if (!transform) {
    const fromTsx = createRequire(require.resolve('tsx/esm/api'));
    transform = (fromTsx('esbuild') as { transformSync: Transform }).transformSync;
  }
  return transform;
}
