import { existsSync } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';

/**
 * Open (or create) a PGlite data folder. Creating one runs initdb, ~4–5 s; so the first
 * cluster this machine creates is saved as a template (an uncompressed tar in the temp
 * folder, keyed by PGlite's version) and later new folders start from it (~1.5 s).
 * The template is a cache: any problem with it falls back to initdb.
 */
export async function openPGlite(dataDir: string): Promise<PGlite> {
  if (existsSync(join(dataDir, 'PG_VERSION'))) return PGlite.create(dataDir);
  const template = templatePath();
  if (template && existsSync(template)) {
    try {
      const tar = await readFile(template);
      return await PGlite.create(dataDir, { loadDataDir: new Blob([tar]) });
    } catch {
      await rm(dataDir, { recursive: true, force: true });
    }
  }
  const pglite = await PGlite.create(dataDir);
  if (template) await saveTemplate(pglite, template).catch(() => {});
  return pglite;
}

async function saveTemplate(pglite: PGlite, template: string): Promise<void> {
  const dump = await pglite.dumpDataDir('none');
  const tmp = `${template}.${process.pid}.tmp`;
  await writeFile(tmp, Buffer.from(await dump.arrayBuffer()));
  await rename(tmp, template);
}

function templatePath(): string | undefined {
  try {
    let dir = dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite'));
    while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
    const { version } = createRequire(import.meta.url)(join(dir, 'package.json')) as {
      version: string;
    };
    return join(tmpdir(), `duckfeat-pglite-${version}-template.tar`);
  } catch {
    return undefined;
  }
}
