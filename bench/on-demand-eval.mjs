// The per-request cost of serving an on-demand view: the online evaluator (one prepared
// statement over bound values, `OnDemandEvaluator`) against `evaluateOnDemand` (a temporary
// table per request), same expressions, same inputs, same run, alternating rounds.
//   npm run build && flock /tmp/duckfeat-bench.lock node bench/on-demand-eval.mjs [--rounds 3] [--json]
// The view: 2 features over 2 source features and 1 request column (as test/serving's
// `ratio`). Rows per request: 1 and 100; 2,000 evaluations each after 300 warm-up ones.
// Printed: p50 and p99 per evaluation in µs, and the ratio of the p50s.
import { execFileSync } from 'node:child_process';
import { createInstance } from '../dist/duckdb/connection.js';
import { OnDemandEvaluator } from '../dist/online/on-demand-evaluator.js';
import { evaluateOnDemand } from '../dist/retrieval/on-demand.js';

const args = process.argv.slice(2);
const json = args.includes('--json');
const rounds = Number(args[args.indexOf('--rounds') + 1] ?? 3) || 3;
const N = 2000;
const WARM = 300;

const view = {
  kind: 'onDemandFeatureView',
  name: 'ratio',
  sources: ['stats'],
  requestSchema: [{ name: 'basket', type: 'float64' }],
  features: [
    { name: 'spend_per_order', type: 'float64', expression: 'spend / nullif(n_orders, 0)' },
    { name: 'basket_share', type: 'float64', expression: 'basket / (basket + coalesce(spend, 0))' },
  ],
};
const sources = [
  {
    name: 'stats',
    features: [
      { name: 'n_orders', type: 'int64' },
      { name: 'spend', type: 'float64' },
    ],
  },
];
const inputs = (rows) => ({
  n_orders: Array.from({ length: rows }, (_, i) => (i % 7 === 0 ? null : BigInt(i % 5))),
  spend: Array.from({ length: rows }, (_, i) => i * 1.5),
  basket: Array.from({ length: rows }, (_, i) => i + 0.5),
});
const load = () =>
  execFileSync('uptime')
    .toString()
    .trim()
    .replace(/.*load average: /, '');

function percentiles(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  return { p50: Math.round(at(0.5)), p99: Math.round(at(0.99)) };
}

async function measure(evaluate, data) {
  for (let i = 0; i < WARM; i++) await evaluate(data);
  const samples = new Array(N);
  for (let i = 0; i < N; i++) {
    const t = performance.now();
    await evaluate(data);
    samples[i] = (performance.now() - t) * 1000;
  }
  return percentiles(samples);
}

const instance = await createInstance({ threads: 1 });
const evaluator = await OnDemandEvaluator.open();
const paths = {
  evaluator: (data) => evaluator.evaluate(view, sources, data),
  evaluateOnDemand: (data) => evaluateOnDemand(instance, view, sources, data),
};
const results = [];
const loadBefore = load();
for (let round = 1; round <= rounds; round++) {
  for (const rows of [1, 100]) {
    const data = inputs(rows);
    const entry = { round, rows };
    for (const [name, evaluate] of Object.entries(paths))
      entry[name] = await measure(evaluate, data);
    entry.ratio = Math.round((entry.evaluateOnDemand.p50 / entry.evaluator.p50) * 10) / 10;
    results.push(entry);
  }
}
evaluator.close();
instance.closeSync();
const summary = {
  date: new Date().toISOString(),
  load: { before: loadBefore, after: load() },
  results,
};
if (json) console.log(JSON.stringify(summary, null, 2));
else {
  console.log(`on-demand evaluation per request (µs), load ${loadBefore} → ${summary.load.after}`);
  console.log('round  rows  evaluator p50/p99   evaluateOnDemand p50/p99   ratio (p50)');
  for (const r of results) {
    console.log(
      `${String(r.round).padStart(5)}  ${String(r.rows).padStart(4)}  ${`${r.evaluator.p50} / ${r.evaluator.p99}`.padStart(16)}   ${`${r.evaluateOnDemand.p50} / ${r.evaluateOnDemand.p99}`.padStart(24)}   ${r.ratio}×`,
    );
  }
}
