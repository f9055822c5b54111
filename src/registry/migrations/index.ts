import type { Migration, MigrationProvider } from 'kysely';
import * as initial from './2025-11-26-0001-initial.js';
import * as onlineMaterializations from './2026-12-02-0001-online-materializations.js';
import * as onDemandFeatureViews from './2026-12-02-0002-on-demand-feature-views.js';
import * as serviceOnDemandRefs from './2026-12-02-0003-service-on-demand-refs.js';

/** Every migration, by its frozen date-prefixed name (listed here so dist needs no fs scan). */
export const migrations: Record<string, Migration> = {
  '2025-11-26-0001-initial': initial,
  '2026-12-02-0001-online-materializations': onlineMaterializations,
  '2026-12-02-0002-on-demand-feature-views': onDemandFeatureViews,
  '2026-12-02-0003-service-on-demand-refs': serviceOnDemandRefs,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
