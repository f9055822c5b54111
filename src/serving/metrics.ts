import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/** The server's Prometheus metrics, in their own registry (one per server). */
export interface ServingMetrics {
  readonly registry: Registry;
  /** Requests by route, method and status code. */
  readonly requests: Counter<'route' | 'method' | 'status'>;
  /** Request latency in seconds by route (from the request's arrival to the reply's end). */
  readonly latency: Histogram<'route'>;
  /** Online store failures by operation (`read`, `write`). */
  readonly storeErrors: Counter<'operation'>;
  /** Reloads of the definitions or the model picked up without a restart. */
  readonly reloads: Counter<'what'>;
}

/** Latency buckets in seconds: fine below 10 ms, where a feature server lives. */
const LATENCY_BUCKETS = [
  0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
];

/** Create the metrics of one server (and Node's process metrics) in a fresh registry. */
export function createServingMetrics(): ServingMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'duckfeat_' });
  return {
    registry,
    requests: new Counter({
      name: 'duckfeat_http_requests_total',
      help: 'HTTP requests by route, method and status code',
      labelNames: ['route', 'method', 'status'],
      registers: [registry],
    }),
    latency: new Histogram({
      name: 'duckfeat_http_request_duration_seconds',
      help: 'HTTP request latency by route',
      labelNames: ['route'],
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    storeErrors: new Counter({
      name: 'duckfeat_online_store_errors_total',
      help: 'Online store failures by operation',
      labelNames: ['operation'],
      registers: [registry],
    }),
    reloads: new Counter({
      name: 'duckfeat_reloads_total',
      help: 'Definitions (registry) or model reloaded without a restart',
      labelNames: ['what'],
      registers: [registry],
    }),
  };
}
