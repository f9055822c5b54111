import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../repo/temp-repo.js';

/** Every module a built file loads statically (type-only imports are erased by tsc). */
function staticGraph(entry: string): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const text = readFileSync(file, 'utf8');
    for (const [, specifier] of text.matchAll(
      /^\s*(?:import|export)\s+(?:[\w$*{},\s]+\s+from\s+)?['"]([^'"]+)['"]/gm,
    )) {
      if (specifier!.startsWith('.')) visit(resolve(dirname(file), specifier!));
      else packages.add(specifier!);
    }
    if (/\bimport\s*\(/.test(text)) packages.add(`dynamic import() in ${file}`);
  };
  visit(entry);
  return {
    files: [...files].map((f) => relative(PROJECT_ROOT, f)).sort(),
    packages: [...packages],
  };
}

describe("the 'duckfeat/definitions' entry point", () => {
  it('loads only the factories, their types and the errors: no package, no DuckDB', () => {
    const graph = staticGraph(join(PROJECT_ROOT, 'dist', 'definitions', 'index.js'));
    expect(graph.files).toEqual([
      'dist/definitions/duration.js',
      'dist/definitions/factories.js',
      'dist/definitions/index.js',
      'dist/definitions/names.js',
      'dist/definitions/types.js',
      'dist/errors.js',
    ]);
    expect(graph.packages.filter((p) => !p.startsWith('node:'))).toEqual([]);
  });

  it("exports the same factories as 'duckfeat' (one copy: the package's errors match)", async () => {
    const definitions = (await import('duckfeat/definitions')) as Record<string, unknown>;
    const whole = (await import('duckfeat')) as Record<string, unknown>;
    const names = Object.keys(definitions).sort();
    expect(names).toEqual([
      'defineConfig',
      'entity',
      'featureService',
      'featureView',
      'fileSource',
      'labelView',
      'onDemandFeatureView',
      'parseDuration',
      'requestSource',
    ]);
    for (const name of names) expect(whole[name]).toBe(definitions[name]);
  });
});
