import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ProjectPaths, projectPaths } from '../../src/config/paths.js';
import { prep } from '../../src/engine/prep.js';
import { ingest } from '../../src/ingest/ingest.js';
import { loadRepository } from '../../src/repo/load-repository.js';
import type { Repository } from '../../src/repo/repository.js';

/** The shared UCI data (541,909 rows), beside the repository as in CI. */
export const REAL_DATA = new URL('../../../shared/data/online_retail.parquet', import.meta.url)
  .pathname;

/**
 * The example repository's views prepared from the real data into a temp folder (`dir`):
 * ingest and prep write there, the repository itself is the project's `feature_store/`.
 */
export async function prepareRealData(
  prefix: string,
): Promise<{ dir: string; paths: ProjectPaths; repository: Repository }> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const base = projectPaths({ root: new URL('../..', import.meta.url).pathname });
  const paths: ProjectPaths = {
    ...base,
    ingestCache: join(dir, 'cache'),
    transactions: join(dir, 'transactions.parquet'),
    featureData: join(dir, 'data'),
    partitions: join(dir, 'partitions'),
    compiled: join(dir, 'compiled'),
  };
  const cleaned = await ingest({ input: REAL_DATA, paths });
  await prep({ paths, transactions: { path: cleaned.path, fingerprint: cleaned.fingerprint } });
  return { dir, paths, repository: await loadRepository(paths) };
}
