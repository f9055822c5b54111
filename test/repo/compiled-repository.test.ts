import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { projectPaths } from '../../src/config/paths.js';
import {
  COMPILED_DIR,
  compiledRepositoryFile,
  isAlone,
} from '../../src/repo/compiled-repository.js';
import { loadRepository } from '../../src/repo/load-repository.js';
import { makeProject, repoSource } from './temp-repo.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function project(files: Record<string, string>) {
  const p = makeProject(files);
  cleanups.push(p.cleanup);
  return {
    root: p.root,
    file: join(p.root, 'feature_store', 'feature_store.ts'),
    cache: join(p.root, 'feature_store', COMPILED_DIR),
  };
}

describe('isAlone', () => {
  it('accepts imports of duckfeat and node: modules only', () => {
    expect(isAlone('import { entity } from "duckfeat/definitions";\nexport const a = 1;\n')).toBe(
      true,
    );
    expect(isAlone('import { entity } from "duckfeat";\nimport { join } from "node:path";\n')).toBe(
      true,
    );
    expect(isAlone('export const a = 1;\n')).toBe(true);
  });

  it('refuses relative and other packages, and anything that depends on where the file is', () => {
    for (const code of [
      'import { views } from "./views.ts";\n',
      'export * from "../shared.js";\n',
      'import "./side-effect.js";\n',
      'import { x } from "lodash";\n',
      'import { x } from "duckfeat-other";\n',
      'export const here = import.meta.url;\n',
      'const m = await import("duckfeat");\n',
      'const m = require("duckfeat");\n',
      'export const dir = __dirname;\n',
    ]) {
      expect(isAlone(code), code).toBe(false);
    }
  });
});

describe('compiledRepositoryFile', () => {
  it('compiles a lone feature_store.ts once per content, and again when it changes', async () => {
    const p = project({ 'feature_store/feature_store.ts': repoSource({ project: 'first' }) });
    const first = await compiledRepositoryFile(p.file);
    expect(first).toMatch(/feature_store\.[0-9a-f]{16}\.mjs$/);
    expect(readdirSync(p.cache)).toEqual([first!.split('/').at(-1)]);
    const mtime = statSync(first!).mtimeMs;
    expect(await compiledRepositoryFile(p.file)).toBe(first);
    expect(statSync(first!).mtimeMs).toBe(mtime);

    writeFileSync(p.file, repoSource({ project: 'second' }));
    const second = await compiledRepositoryFile(p.file);
    expect(second).not.toBe(first);
    expect(readdirSync(p.cache)).toEqual([second!.split('/').at(-1)]);
    expect((await import(second!)).config.project).toBe('second');
  });

  it('leaves a file that imports a sibling to tsx, and remembers that', async () => {
    const p = project({
      'feature_store/feature_store.ts': `${repoSource()}\nexport { extra } from './extra.ts';\n`,
      'feature_store/extra.ts': `import { entity } from 'duckfeat/definitions';
export const extra = entity({ name: 'store', joinKeys: ['store_id'], valueType: 'int64' });\n`,
    });
    expect(await compiledRepositoryFile(p.file)).toBeUndefined();
    expect(readdirSync(p.cache)).toEqual([
      expect.stringMatching(/^feature_store\.[0-9a-f]{16}\.tsx$/),
    ]);
    expect(await compiledRepositoryFile(p.file)).toBeUndefined();
    const repo = await loadRepository(projectPaths({ root: p.root }));
    expect(repo.entities.map((e) => e.name)).toEqual(['customer', 'store']);
  });

  it('leaves a file esbuild cannot compile to tsx, which reports the error', async () => {
    const p = project({ 'feature_store/feature_store.ts': `${repoSource()}\nexport const = ;\n` });
    expect(await compiledRepositoryFile(p.file)).toBeUndefined();
    await expect(loadRepository(projectPaths({ root: p.root }))).rejects.toThrow(
      /Failed to load repository/,
    );
  });
});

describe('loadRepository through the compiled file', () => {
  it('loads the same objects as through tsx', async () => {
    const extra = `export const store = entity({ name: 'store', joinKeys: ['store_id'], valueType: 'string', description: 'a shop' });`;
    const alone = project({ 'feature_store/feature_store.ts': repoSource({ extra }) });
    // The same file plus a sibling import: not alone, so loaded through tsx.
    const viaTsx = project({
      'feature_store/feature_store.ts': `${repoSource({ extra })}\nimport './nothing.ts';\n`,
      'feature_store/nothing.ts': 'export {};\n',
    });
    const compiled = await loadRepository(projectPaths({ root: alone.root }));
    expect(readdirSync(alone.cache)).toEqual([expect.stringMatching(/\.mjs$/)]);
    const reference = await loadRepository(projectPaths({ root: viaTsx.root }));
    expect(readdirSync(viaTsx.cache)).toEqual([expect.stringMatching(/\.tsx$/)]);
    const strip = ({ file: _f, dir: _d, root: _r, ...objects }: typeof compiled) => objects;
    expect(strip(compiled)).toEqual(strip(reference));
    expect(compiled.entities.map((e) => e.name)).toEqual(['customer', 'store']);
  });

  it('evaluates the file afresh on every load', async () => {
    const p = project({
      'feature_store/feature_store.ts': `${repoSource()}\n(globalThis as any).__loads = ((globalThis as any).__loads ?? 0) + 1;\n`,
    });
    const before = (globalThis as { __loads?: number }).__loads ?? 0;
    await loadRepository(projectPaths({ root: p.root }));
    await loadRepository(projectPaths({ root: p.root }));
    expect((globalThis as { __loads?: number }).__loads).toBe(before + 2);
    expect(existsSync(p.cache)).toBe(true);
  });
});
