import { Kysely } from 'kysely';
import { RegistryError } from '../errors.js';
import type { ConnectOptions, RegistryConnection } from './connect.js';
import { PGliteDialect } from './dialect/pglite-dialect.js';
import { closeEmbedded, openEmbedded } from './embedded-handle.js';
import type { RegistryDatabase } from './schema.js';

/**
 * Open the embedded (PGlite) registry: a given instance (left open by `close()`), or the one
 * in `dataDir`; its tables in `schema` when given.
 */
export async function connectEmbedded(
  options: Pick<ConnectOptions, 'dataDir' | 'pglite'>,
  schema?: string,
): Promise<RegistryConnection> {
  if (options.pglite) {
    const db = new Kysely<RegistryDatabase>({
      dialect: new PGliteDialect(options.pglite, schema),
    });
    return {
      db,
      location: 'embedded PGlite (given instance)',
      backend: 'pglite',
      close: () => db.destroy(),
    };
  }
  if (!options.dataDir) throw new RegistryError('Failed to open the registry: no location given');
  const dataDir = options.dataDir;
  const handle = await openEmbedded(dataDir);
  const db = new Kysely<RegistryDatabase>({
    dialect: new PGliteDialect(handle.pglite, schema),
  });
  return {
    db,
    location: `embedded PGlite at ${dataDir}`,
    backend: 'pglite',
    close: async () => {
      try {
        await db.destroy();
      } finally {
        await closeEmbedded(handle);
      }
    },
  };
}
