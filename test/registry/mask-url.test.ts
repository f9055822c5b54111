import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { connectRegistry } from '../../src/registry/connect.js';
import { connectionError } from '../../src/registry/connect-postgres.js';
import { maskUrl, scrub, urlPassword } from '../../src/util/mask-url.js';

describe('maskUrl', () => {
  it('replaces the password and keeps the rest', () => {
    expect(maskUrl('postgresql://feast:feast@localhost:5433/feast_registry')).toBe(
      'postgresql://feast:***@localhost:5433/feast_registry',
    );
    expect(maskUrl('postgresql://postgres@127.0.0.1:5432/duckfeat_test')).toBe(
      'postgresql://postgres@127.0.0.1:5432/duckfeat_test',
    );
    expect(maskUrl('postgres://u:p%40ss@h/db?sslmode=require&password=x')).toBe(
      'postgres://u:***@h/db?sslmode=require&password=***',
    );
  });

  it('never lets a password through, whatever it is', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 4 }), (password) => {
        const url = `postgresql://feast:${encodeURIComponent(password)}@db.internal:5433/reg`;
        const masked = maskUrl(url);
        expect(urlPassword(url)).toBe(password);
        expect(masked).toBe('postgresql://feast:***@db.internal:5433/reg');
        expect(scrub(`failed: ${password} / ${encodeURIComponent(password)}`, password)).toBe(
          'failed: *** / ***',
        );
      }),
    );
  });

  it('masks a secret whose encoded form contains it whole, leaving no tail', () => {
    // fast-check found this once in ~1,300 runs: `''0%` lies inside its encoding `''0%25`.
    expect(scrub(`failed: ''0% / ''0%25`, `''0%`)).toBe('failed: *** / ***');
  });

  it('explains a connection failure with host, port and database, without the password', () => {
    const url = 'postgresql://feast:hunter2-secret@db.example:6543/registry_db';
    const error = connectionError(url, new Error('password hunter2-secret rejected'));
    expect(error.message).toBe(
      'Failed to connect to the registry at postgresql://feast:***@db.example:6543/registry_db ' +
        '(host db.example, port 6543, database registry_db): password *** rejected. Check that ' +
        'PostgreSQL is running and reachable at db.example:6543, that database "registry_db" ' +
        'exists and user "feast" may connect with its password, or unset DUCKFEAT_REGISTRY_URL ' +
        'to use the embedded registry',
    );
  });

  it('refuses a schema that is not a plain identifier, masking the URL', async () => {
    const url = 'postgresql://feast:pw-123@127.0.0.1:9/db?schema=x%3Bdrop';
    const error = await connectRegistry({ url }).catch((e: unknown) => e);
    expect((error as Error).message).toBe(
      'Failed to open the registry: schema "x;drop" in postgresql://feast:***@127.0.0.1:9/db?schema=x%3Bdrop is not a plain identifier',
    );
  });
});
