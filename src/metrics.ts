import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The service's Prometheus metrics. The original Balance model's `balance.cache.hit` /
 * `balance.cache.miss` become `balance_cache_hit_total` / `balance_cache_miss_total`, labelled
 * by query.
 */
export interface Metrics {
  readonly registry: Registry;
  readonly cacheHits: Counter<'query'>;
  readonly cacheMisses: Counter<'query'>;
  readonly cacheErrors: Counter<'query'>;
  readonly cacheTimeouts: Counter<'query'>;
  readonly queryDuration: Histogram<'query'>;
  /** Prometheus' HTTP convention: route is the OpenAPI template, status_class is `2xx` etc. */
  readonly httpRequestDuration: Histogram<'method' | 'route' | 'status_class'>;
  readonly httpRequestsInFlight: Gauge;
  /** Reads that may use a read replica, by where they went: `primary` or `replica`. */
  readonly databaseReads: Counter<'query' | 'target'>;
  /** Reads that could have used a replica but went to the primary, and why. */
  readonly replicaFallbacks: Counter<'reason'>;
  /** How far a replica was behind the position a read needed, at its latest check. */
  readonly replicaLagBytes: Gauge<'replica'>;
}

/** Registers the metrics on `registry` (a fresh one by default, so tests never share counts). */
export function createMetrics(registry: Registry = new Registry()): Metrics {
  const labelNames = ['query'] as const;
  const registers = [registry];
  return {
    registry,
    cacheHits: new Counter({
      name: 'balance_cache_hit_total',
      help: 'Reads answered from the cache.',
      labelNames,
      registers,
    }),
    cacheMisses: new Counter({
      name: 'balance_cache_miss_total',
      help: 'Reads answered from PostgreSQL (not cached, or the cache was skipped).',
      labelNames,
      registers,
    }),
    cacheErrors: new Counter({
      name: 'balance_cache_error_total',
      help: 'Cache calls that failed.',
      labelNames,
      registers,
    }),
    cacheTimeouts: new Counter({
      name: 'balance_cache_timeout_total',
      help: 'Cache calls abandoned at their deadline.',
      labelNames,
      registers,
    }),
    queryDuration: new Histogram({
      name: 'balance_query_duration_seconds',
      help: 'PostgreSQL query latency by query.',
      labelNames,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    httpRequestDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request latency by method, route template and status class.',
      labelNames: ['method', 'route', 'status_class'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    httpRequestsInFlight: new Gauge({
      name: 'http_requests_in_flight',
      help: 'HTTP requests being served right now.',
      registers,
    }),
    databaseReads: new Counter({
      name: 'balance_db_reads_total',
      help: 'Reads that may use a read replica (DATABASE_REPLICA_URLS), by target: primary or replica.',
      labelNames: ['query', 'target'] as const,
      registers,
    }),
    replicaFallbacks: new Counter({
      name: 'balance_replica_fallback_total',
      help: 'Reads sent to the primary instead of a replica, by reason: behind, unavailable, not_standby.',
      labelNames: ['reason'] as const,
      registers,
    }),
    replicaLagBytes: new Gauge({
      name: 'balance_replica_lag_bytes',
      help: 'Bytes of WAL a replica still had to replay to serve the read that last checked it (0: caught up).',
      labelNames: ['replica'] as const,
      registers,
    }),
  };
}
