import { PGlite } from '@electric-sql/pglite';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { connectRegistry } from '../../src/registry/connect.js';
import { freshSchema, TEST_PG_URL } from './backends.js';

// Registry timestamps come from `now()` into columns without a time zone and are documented
// as UTC: every registry session must run in UTC, whatever the server's or host's zone
// (this server's default is `Etc/UTC`, PGlite's `GMT`: neither is the session's own setting).
async function sessionTimeZone(options: Parameters<typeof connectRegistry>[0]): Promise<string> {
  const connection = await connectRegistry(options);
  try {
    const { rows } = await sql<{ tz: string }>`select current_setting('TimeZone') as tz`.execute(
      connection.db,
    );
    return rows[0]!.tz;
  } finally {
    await connection.close();
  }
}

describe('registry sessions', () => {
  it('run in UTC on PGlite', async () => {
    const pglite = await PGlite.create();
    try {
      expect(await sessionTimeZone({ pglite, schema: freshSchema() })).toBe('UTC');
    } finally {
      await pglite.close();
    }
  });

  it.skipIf(!TEST_PG_URL)('run in UTC on PostgreSQL, with and without a schema', async () => {
    expect(await sessionTimeZone({ url: TEST_PG_URL!, schema: freshSchema() })).toBe('UTC');
    expect(await sessionTimeZone({ url: TEST_PG_URL! })).toBe('UTC');
  });
});
