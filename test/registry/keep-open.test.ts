import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { connectRegistry } from '../../src/registry/connect.js';
import { keepEmbeddedRegistriesOpen } from '../../src/registry/keep-embedded-open.js';

// A process running several commands in a row (scripts/all.mjs) keeps the embedded
// registry open between them: one PGlite for every connection, the lock held until the end.
const dir = mkdtempSync(join(tmpdir(), 'duckfeat-keep-open-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** One "command": open the registry, add a row, close it. */
async function addRow(dataDir: string, value: string): Promise<void> {
  const connection = await connectRegistry({ dataDir });
  try {
    await sql`create table if not exists kept (v text)`.execute(connection.db);
    await sql`insert into kept values (${value})`.execute(connection.db);
  } finally {
    await connection.close();
  }
}

describe('keepEmbeddedRegistriesOpen', () => {
  it('serves every connection from one open registry until it is released', async () => {
    const dataDir = join(dir, 'registry');
    const lock = join(dataDir, 'open.lock');
    const release = keepEmbeddedRegistriesOpen();
    try {
      await addRow(dataDir, 'first');
      // Closed by its command, the registry stays open: the lock is still held…
      expect(existsSync(lock)).toBe(true);
      const connection = await connectRegistry({ dataDir });
      try {
        // …and the next command sees what the first one wrote, in the same database.
        const { rows } = await sql<{ v: string }>`select v from kept`.execute(connection.db);
        expect(rows.map((r) => r.v)).toEqual(['first']);
      } finally {
        await connection.close();
      }
      expect(existsSync(lock)).toBe(true);
    } finally {
      await release();
    }
    expect(existsSync(lock)).toBe(false);
    // Without keeping, a command opens and closes the registry itself, data intact.
    await addRow(dataDir, 'second');
    expect(existsSync(lock)).toBe(false);
    const connection = await connectRegistry({ dataDir });
    try {
      const { rows } = await sql<{ v: string }>`select v from kept order by v`.execute(
        connection.db,
      );
      expect(rows.map((r) => r.v)).toEqual(['first', 'second']);
    } finally {
      await connection.close();
    }
  }, 60_000);
});
