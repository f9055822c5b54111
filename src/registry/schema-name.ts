import { RegistryError } from '../errors.js';

/**
 * Refuse a registry schema name that is not a plain identifier (it goes into the session's
 * `search_path` option, where it cannot be bound); `where` ends the message, e.g. ` in <url>`.
 */
export function checkSchemaName(schema: string, where = ''): void {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(schema)) {
    throw new RegistryError(
      `Failed to open the registry: schema ${JSON.stringify(schema)}${where} is not a plain identifier`,
    );
  }
}
