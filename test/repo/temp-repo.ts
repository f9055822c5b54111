import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The duckfeat checkout (its `dist/` is what `import 'duckfeat'` loads). */
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * A throwaway project: `files` (paths relative to its root) written out, and
 * `node_modules/duckfeat` linked to this checkout so a repository's `import 'duckfeat'`
 * resolves the way it does for a user. Returns the root; the repository is `feature_store/`.
 */
export function makeProject(
  files: Record<string, string>,
  options: { esm?: boolean } = {},
): { root: string; cleanup(): void } {
  const root = mkdtempSync(join(tmpdir(), 'duckfeat-repo-'));
  mkdirSync(join(root, 'node_modules'));
  symlinkSync(PROJECT_ROOT, join(root, 'node_modules', 'duckfeat'), 'dir');
  if (options.esm !== false) {
    writeFileSync(join(root, 'package.json'), '{ "type": "module", "private": true }\n');
  }
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** A `feature_store.ts` with one customer entity, one source and one view, plus `extra`. */
export function repoSource(
  options: { schema?: string; entities?: string; extra?: string; project?: string } = {},
): string {
  return `import { defineConfig, entity, featureService, featureView, fileSource } from 'duckfeat/definitions';
export const config = defineConfig({ project: '${options.project ?? 'demo'}' });
export const customer = entity({ name: 'customer', joinKeys: ['customer_id'], valueType: 'int64' });
export const source = fileSource({ path: 'data/stats.parquet', timestampField: 'event_timestamp', createdTimestampColumn: 'created_timestamp' });
export const stats = featureView({
  name: 'stats', entities: ${options.entities ?? '[customer]'}, source, ttl: '90d',
  schema: ${options.schema ?? "{ n_orders: 'int64', spend: 'float64' }"},
});
${options.extra ?? ''}
`;
}
