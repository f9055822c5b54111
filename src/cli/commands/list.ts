import { InputError } from '../../errors.js';
import type { Registry } from '../../registry/registry.js';
import { action } from '../command-context.js';
import type { RegisterCommand } from './index.js';

const LISTS: Record<string, (registry: Registry) => Promise<Record<string, unknown>[]>> = {
  entities: async (r) =>
    (await r.listEntities()).map((e) => ({
      name: e.name,
      joinKeys: e.joinKeys.join(','),
      valueType: e.valueType,
      description: e.description ?? '',
    })),
  'feature-views': async (r) =>
    (await r.listFeatureViews()).map((v) => ({
      name: v.name,
      entities: v.entities.join(','),
      features: v.features.length,
      ttlSeconds: v.ttlSeconds,
      source: v.source.path,
    })),
  'on-demand-feature-views': async (r) =>
    (await r.listOnDemandFeatureViews()).map((v) => ({
      name: v.name,
      sources: v.sources.join(','),
      requestColumns: v.requestSchema.map((c) => c.name).join(','),
      features: v.features.map((f) => f.name).join(','),
    })),
  'feature-services': async (r) =>
    (await r.listFeatureServices()).map((s) => ({ name: s.name, features: s.features.join(',') })),
  materializations: async (r) =>
    (await r.listMaterializations()).map((m) => ({
      view: m.view,
      cutoff: m.cutoff,
      rows: m.rows,
      sqlSha256: m.sqlSha256.slice(0, 12),
      durationMs: Math.round(m.durationMs),
      finishedAt: m.finishedAt,
    })),
};

export const registerList: RegisterCommand = (program) => {
  program
    .command('list')
    .description('List what the registry holds for the project')
    .argument('<what>', `one of: ${Object.keys(LISTS).join(', ')}`)
    .option('--json', 'print the list as JSON on stdout')
    .action(
      action<{ json?: boolean }>(async (opts, ctx, command) => {
        const what = String(command.args[0]);
        const list = LISTS[what];
        if (!list) {
          throw new InputError(
            `Failed to list: unknown kind "${what}" (use one of ${Object.keys(LISTS).join(', ')})`,
          );
        }
        const { withRegistry } = await import('../../registry/open-for-repo.js');
        const rows = await withRegistry(ctx.paths, list);
        if (opts.json) ctx.out.data(rows);
        else for (const line of formatTable(rows)) ctx.out.info(line);
      }),
    );
};

/** Rows as an aligned text table with a header; `(none)` when empty. */
export function formatTable(rows: readonly Record<string, unknown>[]): string[] {
  if (rows.length === 0) return ['(none)'];
  const columns = Object.keys(rows[0]!);
  const cells = rows.map((row) => columns.map((c) => String(row[c] ?? '')));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(columns), ...cells.map(line)];
}
