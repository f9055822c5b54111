/**
 * Closing the in-process executor while tasks run (or wait for a connection) interrupts
 * them, waits for them to settle, and only then closes the connections.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InProcessExecutor } from '../../src/engine/in-process-executor.js';
import { parseSqlFile } from '../../src/engine/sql-file.js';
import type { Task } from '../../src/engine/task.js';
import { TaskError } from '../../src/errors.js';
import { tempDir } from './helpers.js';

// Minutes of work on one thread: it only ends early when interrupted.
const SLOW_SQL = `/*
name: slow
@param cutoff TIMESTAMP  the cutoff
*/
SELECT 1::BIGINT AS customer_id, $cutoff AS event_timestamp, count(*) AS n
FROM range(100000000000)
`;

function slowTask(dir: string, n: number): Task {
  const cutoff = `2011-01-0${n} 00:00:00`;
  return {
    id: `slow@${cutoff}`,
    view: 'slow',
    sqlPath: 'slow.sql',
    sqlSha256: parseSqlFile('slow.sql', SLOW_SQL).sha256,
    sql: SLOW_SQL,
    keys: ['customer_id'],
    params: { cutoff },
    cutoff,
    inputFingerprint: 'none',
    partition: join(dir, `slow-${n}.parquet`),
  };
}

describe('InProcessExecutor.close', () => {
  it('interrupts the running task, fails the queued one, and settles both', async () => {
    const { dir, cleanup } = await tempDir();
    const executor = await InProcessExecutor.create({ workers: 1 });
    try {
      const running = executor.run(slowTask(dir, 1));
      const queued = executor.run(slowTask(dir, 2));
      const outcomes = Promise.allSettled([running, queued]);
      // Let the first query start in DuckDB before closing.
      await new Promise((resolve) => setTimeout(resolve, 300));
      await executor.close();
      const [first, second] = await outcomes;
      expect(first.status).toBe('rejected');
      expect((first as PromiseRejectedResult).reason).toBeInstanceOf(TaskError);
      expect(String((first as PromiseRejectedResult).reason)).toMatch(/Interrupted/);
      expect(second.status).toBe('rejected');
      expect(String((second as PromiseRejectedResult).reason)).toMatch(
        /Failed to run task slow@2011-01-02 00:00:00: the executor is closed/,
      );
    } finally {
      await cleanup();
    }
  });
});
