/**
 * Ctrl-C on `duckfeat prep`: a deliberately slow feature file keeps a query running; on
 * SIGINT the CLI interrupts it, exits 130 and leaves the previous outputs as they were.
 */
import { spawn } from 'node:child_process';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { withConnection } from '../../src/duckdb/connection.js';
import {
  customerView,
  SQL_DIR,
  tempDir,
  writeCleanTransactions,
  writeRepository,
} from './helpers.js';

const CLI = new URL('../../bin/duckfeat.js', import.meta.url).pathname;
let root: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ dir: root, cleanup } = await tempDir());
  await cp(SQL_DIR, join(root, 'sql'), { recursive: true });
  await writeRepository(root);
  await withConnection((c) => writeCleanTransactions(c, join(root, 'tx.parquet')));
});
afterAll(() => cleanup());

function runCli(onStderr?: (text: string, kill: () => void) => void) {
  return new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [CLI, 'prep', '--transactions', 'tx.parquet'], {
      cwd: root,
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      onStderr?.(stderr, () => child.kill('SIGINT'));
    });
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

it('exits 130 on SIGINT mid-query and keeps the previous outputs', async () => {
  const first = await runCli();
  expect(first.code).toBe(0);
  const output = join(root, 'feature_store/data/purchase_labels.parquet');
  const before = await readFile(output);
  await writeFile(
    join(root, 'sql/features/slow_features.sql'),
    `/*
name: slow_features
@param cutoff TIMESTAMP  the cutoff
@param transactions VARCHAR  the transactions
*/
SELECT customer_id, $cutoff AS event_timestamp,
       (SELECT count(*) FROM range(20000000000) r WHERE r.range % 7 = customer_id % 7) AS n
FROM (SELECT DISTINCT customer_id FROM read_parquet($transactions) LIMIT 1)
`,
  );
  await writeRepository(root, { extra: customerView('slow_features', `{ n: 'int64' }`) });
  let sent = false;
  const second = await runCli((text, kill) => {
    if (!sent && /tasks over \d+ cutoffs/.test(text)) {
      sent = true;
      setTimeout(kill, 300);
    }
  });
  expect(second.stderr).toMatch(/interrupted/);
  expect(second.code).toBe(130);
  expect((await readFile(output)).equals(before)).toBe(true);
});
