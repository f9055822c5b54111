// ~10M synthetic Online-Retail-shaped rows (`duckfeat synth --customers 100000`, cached in
// bench/.out; sizes in BENCHMARKS.md), 36 cutoffs (step 7 days, 90-day feature window,
// 30-day label window: the data's ~372 days hold 37 such cutoffs, the first 36 are used),
// all nine features + labels: duckfeat prep against DUCKDB.md's strategies, each in its own
// process (peak RSS = that process's maxRSS), in one run.
//
// Usage: npm run build && node bench/prep-10m.mjs [--runs 1] [--only name,name]
//
// Every strategy produces the same deliverable: one parquet per view with all 36 cutoffs,
// sorted by (event_timestamp, customer_id); the per-cutoff ones write a partition per task
// and then combine. Row counts are checked to agree across strategies.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance, listValue } from '@duckdb/node-api';

const here = fileURLToPath(new URL('.', import.meta.url));
const repo = join(here, '..');
const out = join(here, '.out');
const SQL = {
  customer_rfm_features: join(repo, 'sql/features/customer_rfm_features.sql'),
  customer_behavior_features: join(repo, 'sql/features/customer_behavior_features.sql'),
  purchase_labels: join(repo, 'sql/labels/purchase_labels.sql'),
};
const VIEWS = Object.keys(SQL);
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};

async function parent() {
  const { projectPaths } = await import('../dist/config/paths.js');
  const { computeCutoffs, readDateRange } = await import('../dist/index.js');
  const { ingest } = await import('../dist/ingest/ingest.js');
  mkdirSync(out, { recursive: true });
  const raw = join(out, 'synth-10m.parquet');
  if (!existsSync(raw)) {
    execFileSync(
      process.execPath,
      [join(repo, 'bin/duckfeat.js'), 'synth', '--customers', '100000', '--out', raw],
      {
        stdio: 'inherit',
      },
    );
  }
  const root = join(out, 'prep-10m');
  const t = performance.now();
  const cleaned = await ingest({ input: raw, paths: projectPaths({ root }) });
  console.error(
    `ingest: ${cleaned.rows} rows, ${cleaned.customers} customers${cleaned.cached ? ' (cached)' : ''} in ${((performance.now() - t) / 1000).toFixed(1)} s`,
  );
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  const range = await readDateRange(c, cleaned.path);
  c.closeSync();
  db.closeSync();
  const all = computeCutoffs(range.min, range.max, { stepDays: 7 });
  const cutoffs = all.slice(0, 36);
  console.error(
    `range ${range.min} … ${range.max}: ${all.length} weekly cutoffs, using ${cutoffs[0]} … ${cutoffs.at(-1)}`,
  );
  if (cutoffs.length !== 36) throw new Error(`expected 36 cutoffs, got ${cutoffs.length}`);

  const strategies = (
    arg('only') ?? 'sequential,connections,pool,set-based,duckfeat,duckfeat-pool'
  ).split(',');
  const runs = Number(arg('runs', '1'));
  const results = {};
  for (let run = 0; run < runs; run++) {
    for (const name of strategies) {
      const load = readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
      const json = execFileSync(
        process.execPath,
        [
          fileURLToPath(import.meta.url),
          '--child',
          name,
          '--tx',
          cleaned.path,
          '--cutoffs',
          JSON.stringify(cutoffs),
        ],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20 },
      );
      const r = JSON.parse(json.trim().split('\n').at(-1));
      (results[name] ??= []).push({ ...r, load: Number(load) });
      console.error(`${name}: ${JSON.stringify(r)} (load ${load})`);
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const table = {};
  for (const [name, rs] of Object.entries(results)) {
    table[name] = {
      'total s': median(rs.map((r) => r.total)),
      'tasks s': median(rs.map((r) => r.tasks)),
      'combine s': median(rs.map((r) => r.combine)),
      'peak RSS GB': median(rs.map((r) => r.maxRssGB)),
      'load (1 min)': rs.map((r) => r.load).join(' '),
    };
  }
  const fastest = Math.min(
    ...Object.entries(table)
      .filter(([n]) => !n.startsWith('duckfeat'))
      .map(([, r]) => r['total s']),
  );
  for (const row of Object.values(table))
    row['× fastest other'] = Number((row['total s'] / fastest).toFixed(2));
  const counts = Object.values(results).map((rs) => JSON.stringify(rs[0].rows));
  if (new Set(counts).size !== 1) throw new Error(`row counts differ: ${counts.join(' vs ')}`);
  console.table(table);
  console.log(`rows per output: ${counts[0]}`);
}

async function child(name, tx, cutoffs) {
  const dir = join(out, 'prep-10m', 'strategies', name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const started = performance.now();
  let tasksDone;
  let rows;
  if (name === 'duckfeat' || name === 'duckfeat-pool') {
    const { projectPaths } = await import('../dist/config/paths.js');
    const { fingerprintFile, prep, DEFAULT_EXECUTOR } = await import('../dist/index.js');
    const { cpSync } = await import('node:fs');
    cpSync(join(repo, 'sql'), join(dir, 'sql'), { recursive: true });
    const result = await prep({
      paths: projectPaths({ root: dir }),
      transactions: await fingerprintFile(tx),
      executor: name === 'duckfeat' ? DEFAULT_EXECUTOR : 'pool',
      cutoffs,
      force: true,
    });
    if (result.cutoffs.join() !== cutoffs.join()) throw new Error('cutoffs differ');
    const t = result.timings;
    report(
      {
        total: t.totalMs / 1000,
        tasks: (t.planMs + t.tasksMs) / 1000,
        combine: t.writeMs / 1000,
        executor: result.executor,
      },
      Object.fromEntries(result.outputs.map((o) => [o.view, o.rows])),
    );
    return;
  }
  const { bindings } = await import('./prep-10m-worker.mjs');
  const texts = Object.fromEntries(VIEWS.map((v) => [v, readFileSync(SQL[v], 'utf8')]));
  const jobs = cutoffs.flatMap((cutoff, k) =>
    VIEWS.map((view) => ({
      view,
      cutoff,
      sql: texts[view],
      out: join(dir, `${view}-${k}.parquet`),
    })),
  );
  const copy = (job) =>
    `COPY (\n${job.sql.trimEnd().replace(/;+$/, '')}\n) TO '${job.out}' (FORMAT parquet)`;
  if (name === 'set-based') {
    const db = await DuckDBInstance.create(':memory:', { threads: '2', memory_limit: '10GB' });
    const c = await db.connect();
    tasksDone = performance.now();
    rows = {};
    for (const view of VIEWS) {
      const r = await c.runAndReadAll(
        `COPY (${SET_BASED[view]} ORDER BY event_timestamp, customer_id) TO '${join(dir, `${view}.parquet`)}' (FORMAT parquet)`,
        { tx, cutoffs: listValue(cutoffs) },
      );
      rows[view] = Number(r.getRows()[0][0]);
    }
    report(
      {
        total: (performance.now() - started) / 1000,
        tasks: (performance.now() - started) / 1000,
        combine: 0,
      },
      rows,
    );
    return;
  }
  if (name === 'sequential' || name === 'connections') {
    const threads = name === 'sequential' ? 2 : 1;
    const lanes = name === 'sequential' ? 1 : 2;
    const db = await DuckDBInstance.create(':memory:', { threads: String(threads) });
    const conns = [];
    for (let i = 0; i < lanes; i++) conns.push(await db.connect());
    let next = 0;
    await Promise.all(
      conns.map(async (c) => {
        while (next < jobs.length) {
          const job = jobs[next++];
          const { values, types } = bindings(job.sql, tx, job.cutoff);
          await c.run(copy(job), values, types);
        }
      }),
    );
    tasksDone = performance.now();
    rows = await combine(conns, jobs, dir);
  } else if (name === 'pool') {
    const { Piscina } = await import('piscina');
    const pool = new Piscina({
      filename: new URL('./prep-10m-worker.mjs', import.meta.url).href,
      minThreads: 2,
      maxThreads: 2,
      workerData: { transactions: tx },
    });
    await Promise.all(jobs.map((job) => pool.run(job)));
    await pool.destroy();
    tasksDone = performance.now();
    const db = await DuckDBInstance.create(':memory:', { threads: '2' });
    rows = await combine([await db.connect()], jobs, dir);
  } else throw new Error(`unknown strategy ${name}`);
  const done = performance.now();
  report(
    {
      total: (done - started) / 1000,
      tasks: (tasksDone - started) / 1000,
      combine: (done - tasksDone) / 1000,
    },
    rows,
  );
}

/** One sorted parquet per view from its partitions, views spread over the connections. */
async function combine(conns, jobs, dir) {
  const rows = {};
  let next = 0;
  await Promise.all(
    conns.map(async (c) => {
      while (next < VIEWS.length) {
        const view = VIEWS[next++];
        const r = await c.runAndReadAll(
          `COPY (SELECT * FROM read_parquet($files) ORDER BY event_timestamp, customer_id) TO '${join(dir, `${view}.parquet`)}' (FORMAT parquet)`,
          { files: listValue(jobs.filter((j) => j.view === view).map((j) => j.out)) },
        );
        rows[view] = Number(r.getRows()[0][0]);
      }
    }),
  );
  return rows;
}

function report(timings, rows) {
  const maxRssGB = Number((process.resourceUsage().maxRSS / 1024 / 1024).toFixed(2));
  const round = (x) => Number(x.toFixed(2));
  const ordered = Object.fromEntries(VIEWS.map((v) => [v, rows[v]]));
  console.log(
    JSON.stringify({
      total: round(timings.total),
      tasks: round(timings.tasks),
      combine: round(timings.combine),
      maxRssGB,
      rows: ordered,
      ...(timings.executor ? { executor: timings.executor } : {}),
    }),
  );
}

// One query per view over all cutoffs: cutoffs × rows joined on the window (DuckDB's range
// join), the same definitions as sql/features and sql/labels (DESIGN.md).
const CUTOFFS = `cutoffs AS (SELECT unnest($cutoffs::TIMESTAMP[]) AS c)`;
const WINDOW = `window_rows AS (
    SELECT k.c, t.* FROM cutoffs AS k JOIN read_parquet($tx) AS t
      ON t.invoice_date >= k.c - INTERVAL 90 DAY AND t.invoice_date < k.c)`;
const SET_BASED = {
  customer_rfm_features: `WITH ${CUTOFFS}, ${WINDOW},
  in_window AS (
    SELECT c, customer_id, max(invoice_date) AS last_at, count(DISTINCT invoice_no) AS frequency, sum(revenue) AS monetary
    FROM window_rows WHERE NOT is_cancellation GROUP BY c, customer_id),
  first_purchase AS (
    SELECT customer_id, min(invoice_date) AS first_at FROM read_parquet($tx) WHERE NOT is_cancellation GROUP BY customer_id)
  SELECT w.customer_id, w.c AS event_timestamp,
    (epoch_us(w.c) - epoch_us(w.last_at)) // 86400000000 AS recency_days, w.frequency, w.monetary,
    (epoch_us(w.c) - epoch_us(f.first_at)) // 86400000000 AS tenure_days
  FROM in_window AS w JOIN first_purchase AS f USING (customer_id)`,
  customer_behavior_features: `WITH ${CUTOFFS}, ${WINDOW},
  invoices AS (
    SELECT c, customer_id, invoice_no, bool_or(is_cancellation) AS cancelled, min(invoice_date) AS first_row_at,
      sum(revenue) AS revenue, sum(quantity) AS quantity
    FROM window_rows GROUP BY c, customer_id, invoice_no),
  purchases AS (
    SELECT c, customer_id, revenue, quantity,
      (epoch_us(first_row_at) - epoch_us(lag(first_row_at) OVER (PARTITION BY c, customer_id ORDER BY first_row_at, invoice_no))) // 86400000000 AS gap_days
    FROM invoices WHERE NOT cancelled),
  purchase_stats AS (
    SELECT c, customer_id, avg(revenue) AS avg_order_value, avg(quantity) AS avg_basket_size,
      coalesce(avg(gap_days), 0) AS avg_days_between_purchases
    FROM purchases GROUP BY c, customer_id),
  invoice_stats AS (
    SELECT c, customer_id, count(*) FILTER (WHERE cancelled) / count(*) AS return_rate FROM invoices GROUP BY c, customer_id),
  product_stats AS (
    SELECT c, customer_id, count(DISTINCT stock_code) AS n_unique_products FROM window_rows WHERE NOT is_cancellation GROUP BY c, customer_id)
  SELECT p.customer_id, p.c AS event_timestamp, p.avg_order_value, p.avg_basket_size::DOUBLE AS avg_basket_size,
    s.n_unique_products, i.return_rate::DOUBLE AS return_rate, p.avg_days_between_purchases::DOUBLE AS avg_days_between_purchases
  FROM purchase_stats AS p JOIN invoice_stats AS i USING (c, customer_id) JOIN product_stats AS s USING (c, customer_id)`,
  purchase_labels: `WITH ${CUTOFFS},
  purchases AS (SELECT customer_id, invoice_date FROM read_parquet($tx) WHERE NOT is_cancellation),
  population AS (
    SELECT DISTINCT k.c, p.customer_id FROM cutoffs AS k JOIN purchases AS p
      ON p.invoice_date >= k.c - INTERVAL 90 DAY AND p.invoice_date < k.c),
  buyers AS (
    SELECT DISTINCT k.c, p.customer_id FROM cutoffs AS k JOIN purchases AS p
      ON p.invoice_date >= k.c AND p.invoice_date < k.c + INTERVAL 30 DAY)
  SELECT p.customer_id, p.c AS event_timestamp, (b.customer_id IS NOT NULL)::BIGINT AS purchased
  FROM population AS p LEFT JOIN buyers AS b USING (c, customer_id)`,
};

if (arg('child')) await child(arg('child'), arg('tx'), JSON.parse(arg('cutoffs')));
else await parent();
