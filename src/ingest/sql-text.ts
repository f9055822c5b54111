import { readFile } from 'node:fs/promises';

/** The SQL folder shipped with the package (`sql/`), found from this module's location. */
const SQL_DIR = new URL('../../sql/', import.meta.url);

const cache = new Map<string, string>();

/**
 * The text of a SQL file shipped with duckfeat, e.g. `ingest/clean_transactions` →
 * `sql/ingest/clean_transactions.sql`, without a trailing semicolon so it can be composed
 * into a larger statement (as a CTE or inside `COPY (…)`).
 */
export async function packageSql(name: string): Promise<string> {
  let text = cache.get(name);
  if (text === undefined) {
    text = (await readFile(new URL(`${name}.sql`, SQL_DIR), 'utf8')).trim().replace(/;$/, '');
    cache.set(name, text);
  }
  return text;
}
