import type { DuckfeatServer, ServerOptions } from './create-server.js';

export type { DuckfeatServer, ServerOptions } from './create-server.js';

/**
 * The feature server of a project (see `create-server.ts`). Fastify and prom-client are
 * loaded on the first call, not when the package is imported (every feature repository
 * imports it).
 *
 * @example
 * const server = await createServer({ repo: 'feature_store', port: 0 });
 * console.log(await server.listen()); // http://127.0.0.1:<port>
 * await server.close();
 */
export async function createServer(options: ServerOptions = {}): Promise<DuckfeatServer> {
  const { createServer: create } = await import('./create-server.js');
  return create(options);
}
