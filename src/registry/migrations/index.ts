import type { Migration, MigrationProvider } from 'kysely';
import * as initial from './2025-11-26-0001-initial.js';

/** Every migration, by its frozen date-prefixed name (listed here so dist needs no fs scan). */
export const migrations: Record<string, Migration> = {
  '2025-11-26-0001-initial': initial,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
