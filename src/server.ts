/**
 * `npm start`: reads the environment, brings PostgreSQL up (embedded unless DATABASE_URL) and
 * migrates it, builds the service and the HTTP API, listens, and shuts down gracefully on
 * SIGTERM, SIGINT or SIGHUP: /readyz turns 503, new connections stop after a short drain,
 * in-flight requests finish, then Redis, the pool and the embedded PostgreSQL close. A signal
 * before the server listens (during start-up or migrations) stops what was started so far.
 *
 * With WORKERS=N (N > 1) this process is the primary: it owns the database, forks N API
 * workers running this same file on one port, supervises them, and stops them on a signal.
 */
import cluster from 'node:cluster';
import { type ServerType, serve } from '@hono/node-server';
import pino from 'pino';
import { collectDefaultMetrics } from 'prom-client';
import { resolveAuthSecret } from './auth/secret.js';
import { signToken } from './auth/tokens.js';
import { authOptionsFromEnv, createTokenVerifier } from './auth/verifier.js';
import { superviseWorkers } from './cluster/primary.js';
import { clusterMetrics, isWorker, listenToPrimary } from './cluster/worker.js';
import { workerCount } from './cluster/workers.js';
import { cacheConfigFromEnv, positiveInteger, replicaConfigFromEnv } from './config.js';
import { ConfigurationError } from './config-error.js';
import { openDatabaseServer } from './db/database-server.js';
import { EmbeddedPostgresError, releaseEmbeddedServers } from './db/embedded-postgres.js';
import { migrate } from './db/migrations.js';
import { createPool } from './db/pool.js';
import { createReplicaRouter } from './db/replica-router.js';
import { addDemoDataIfEmpty, DEMO_USER_ID } from './demo-data.js';
import { batchedAccessLog } from './http/access-log.js';
import { createApp } from './http/app.js';
import { createMetrics } from './metrics.js';
import { createBalanceService } from './service/create-balance-service.js';

const PURGE_EVERY_MS = 60 * 60_000;

const env = process.env;
// Asynchronous: a request's access-log line is buffered, not one write(2) on its path.
// `exit` flushes what is buffered before the process ends.
const logDestination = pino.destination({ sync: false });
const LOG_BASE = { service: 'balance-service' };
const logger = pino({ level: env.LOG_LEVEL ?? 'info', base: LOG_BASE }, logDestination);
// The same lines as logger.info would write, at a fraction of the cost (access-log.ts); below
// info, none: the app's default, logger.info, writes nothing then.
const accessLog = logger.isLevelEnabled('info')
  ? batchedAccessLog((text) => logDestination.write(text), LOG_BASE)
  : undefined;
const stopping: (() => Promise<void>)[] = []; // run in reverse order at shutdown
let shuttingDown = false;
/** Set once the server listens: from then on a signal drains it before stopping. */
let drainAndStop: ((signal: NodeJS.Signals) => Promise<void>) | undefined;

const SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;
const SIGNAL_EXIT_CODES = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 } as const;

// Installed before anything starts, so no signal can leave a PostgreSQL behind; a worker
// treats its primary's shutdown request as a signal (the terminal's may have come first).
for (const signal of SIGNALS) process.on(signal, onSignal);
if (isWorker) listenToPrimary((signal) => shuttingDown || onSignal(signal));

async function start(): Promise<void> {
  const workers = cluster.isPrimary ? workerCount(env) : 1;
  await (workers > 1 ? runPrimary(workers) : main());
}

/** WORKERS > 1: the database and the workers, no requests. */
async function runPrimary(workers: number): Promise<void> {
  const { secret, generated } = authSecret(); // the dev secret, made once for all workers
  // A bad setting stops the primary, not N workers in a restart loop.
  cacheConfigFromEnv(env);
  replicaConfigFromEnv(env);
  authOptionsFromEnv(env, secret);
  const database = await openDatabaseServer(env, (message) => logger.warn({}, message));
  stopping.push(() => database.stop());
  for (const name of await migrate(env.DATABASE_MIGRATIONS_URL || database.url, 'up'))
    logger.info({ migration: name }, 'migration applied');
  if (shuttingDown) return; // a signal came during start-up: its handler stops what started
  const supervisor = superviseWorkers({
    workers,
    drainMs: nonNegativeInteger('SHUTDOWN_DRAIN_MS', 1_000),
    database,
    logger,
    onListening: () => {
      logger.info({ workers, url: listeningUrl() }, 'balance-service workers listening');
      if (generated && secret) void printBanner(secret, false);
    },
  });
  drainAndStop = async (signal) => {
    logger.info({ signal }, 'stopping the workers: each drains its requests');
    await supervisor.stop(signal);
    await stopAll();
    logger.info({}, 'stopped');
    exit(0);
  };
}

async function main(): Promise<void> {
  const port = positiveInteger(env, 'PORT', 3000);
  const host = env.HOST ?? '127.0.0.1';
  const drainMs = nonNegativeInteger('SHUTDOWN_DRAIN_MS', 1_000);
  const { secret, generated } = authSecret();
  const verifyToken = createTokenVerifier(authOptionsFromEnv(env, secret));
  const cacheConfig = cacheConfigFromEnv(env);
  const replicaConfig = replicaConfigFromEnv(env);

  const database = await openDatabaseServer(env, (message) => logger.warn({}, message));
  stopping.push(() => database.stop());
  for (const name of await migrate(env.DATABASE_MIGRATIONS_URL || database.url, 'up'))
    logger.info({ migration: name }, 'migration applied');

  // DATABASE_TRANSACTION_POOLING=1 (behind PgBouncer in transaction mode) is read by createPool,
  // for the replicas' pools too.
  const poolSettings = {
    max: positiveInteger(env, 'DATABASE_POOL_MAX', 10),
    statementTimeoutMillis: positiveInteger(env, 'DATABASE_STATEMENT_TIMEOUT_MS', 5_000),
  };
  const pool = createPool(database.url, poolSettings);
  const metrics = createMetrics();
  const replicas = createReplicaRouter({
    primary: pool,
    urls: replicaConfig.urls,
    timeoutMs: replicaConfig.timeoutMs,
    settings: poolSettings,
    metrics,
  });
  if (replicas) stopping.push(() => replicas.end());
  collectDefaultMetrics({ register: metrics.registry });
  // A worker answers /metrics with every worker's.
  const metricsText = isWorker ? clusterMetrics(metrics.registry) : undefined;
  const { service, cache, close } = createBalanceService({
    pool,
    config: cacheConfig,
    metrics,
    logger,
    logQueries: env.LOG_SQL === '1' || env.LOG_SQL === 'true',
    // Named statements unless DATABASE_NAMED_STATEMENTS=0 or behind a transaction-mode pooler
    // (PgBouncer 1.18 keeps no prepared statement there): allowsNamedStatements(pool).
    replicas,
  });
  // Stopped in reverse: the pool first, so writes still committing can invalidate the cache.
  stopping.push(close, () => pool.end());

  const purge = () =>
    service
      .purgeExpiredIdempotencyKeys()
      .then((purged) => purged && logger.info({ purged }, 'expired idempotency keys purged'))
      .catch((error: unknown) => logger.warn({ err: error }, 'idempotency key purge failed'));
  void purge();
  const purgeTimer = setInterval(purge, PURGE_EVERY_MS).unref();
  stopping.push(async () => clearInterval(purgeTimer));

  const seeded = env.NODE_ENV !== 'production' && (await addDemoDataIfEmpty(service));

  const app = createApp({
    service,
    cache,
    pool,
    metrics,
    logger,
    accessLog,
    verifyToken,
    isShuttingDown: () => shuttingDown,
    metricsText,
  });
  const server = await listen(app.fetch, port, host);
  if (shuttingDown) return; // a signal came while the listener was opening
  drainAndStop = drainThenStop(server, drainMs);

  const url = listeningUrl();
  logger.info(
    {
      url,
      docs: `${url}/docs`,
      database: database.embedded ? 'embedded' : 'DATABASE_URL',
      readReplicas: replicaConfig.urls.length,
      cache: cacheConfig.redisClusterNodes
        ? 'redis cluster'
        : cacheConfig.redisUrl
          ? 'redis'
          : 'memory',
    },
    'balance-service listening',
  );
  if (generated && secret && !isWorker) await printBanner(secret, seeded);
}

/** The HS256 secret, if any: a production service that takes its tokens from an identity
 * provider alone needs none. */
function authSecret(): { secret: string | undefined; generated: boolean } {
  const providerOnly =
    Boolean(env.AUTH_JWKS_URL) && !env.AUTH_SECRET && env.NODE_ENV === 'production';
  return providerOnly ? { secret: undefined, generated: false } : resolveAuthSecret(env);
}

function listeningUrl(): string {
  const host = env.HOST ?? '127.0.0.1';
  return `http://${host === '0.0.0.0' ? 'localhost' : host}:${positiveInteger(env, 'PORT', 3000)}`;
}

/** With the generated development secret: where to go, and an admin token to go there with. */
async function printBanner(secret: string, seeded: boolean): Promise<void> {
  const url = listeningUrl();
  const token = await signToken({ userId: 'dev-admin', role: 'admin' }, secret);
  console.log(
    [
      '',
      `  balance-service  ${url}`,
      `  API docs         ${url}/docs`,
      `  admin token      ${token}`,
      seeded ? `  demo data        user ${DEMO_USER_ID} has two balances; user 7 has one` : '',
      '',
      `  curl -H "Authorization: Bearer ${token}" ${url}/v1/users/${DEMO_USER_ID}/balances`,
      '',
    ].join('\n'),
  );
}

function listen(fetch: Parameters<typeof serve>[0]['fetch'], port: number, hostname: string) {
  return new Promise<ServerType>((resolve, reject) => {
    const server = serve({ fetch, port, hostname }, () => resolve(server));
    server.once('error', reject);
  });
}

function onSignal(signal: NodeJS.Signals): void {
  if (shuttingDown) {
    logger.warn({ signal }, 'second signal: exiting now');
    // Still let go of the database: it may be the last lease on an embedded server.
    void releaseEmbeddedServers().finally(() => exit(1));
    return;
  }
  shuttingDown = true;
  if (drainAndStop) {
    void drainAndStop(signal);
    return;
  }
  logger.info({ signal }, 'signal during start-up: stopping what was started');
  void stopAll().finally(() =>
    exit(SIGNAL_EXIT_CODES[signal as keyof typeof SIGNAL_EXIT_CODES] ?? 1),
  );
}

function drainThenStop(server: ServerType, drainMs: number) {
  return async (signal: NodeJS.Signals) => {
    logger.info({ signal, drainMs }, 'shutting down: /readyz answers 503, draining');
    // Load balancers need a moment to see /readyz fail; meanwhile requests are still served.
    await new Promise((resolve) => setTimeout(resolve, drainMs));
    await closeServer(server);
    await stopAll();
    logger.info({}, 'stopped');
    exit(0);
  };
}

/** Stops accepting connections and waits for in-flight requests, at most 10 s. */
function closeServer(server: ServerType): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => {
      logger.warn({}, 'in-flight requests did not finish in 10 s: closing their connections');
      if ('closeAllConnections' in server) server.closeAllConnections();
    }, 10_000).unref();
    server.close(() => {
      clearTimeout(force);
      resolve();
    });
    if ('closeIdleConnections' in server) server.closeIdleConnections();
  });
}

let stoppedAll: Promise<void> | undefined;

/** Runs the shutdown steps once, newest first, then lets go of any embedded server in start-up. */
function stopAll(): Promise<void> {
  stoppedAll ??= (async () => {
    for (const stop of stopping.reverse()) {
      await stop().catch((error: unknown) => logger.error({ err: error }, 'shutdown step failed'));
    }
    await releaseEmbeddedServers();
  })();
  return stoppedAll;
}

function nonNegativeInteger(name: string, fallback: number): number {
  return env[name] === '0' ? 0 : positiveInteger(env, name, fallback);
}

start().catch(async (error: unknown) => {
  if (shuttingDown) return; // a signal interrupted the start: its handler exits
  // A start-up failure with a known cause is one line naming it and the fix; anything else
  // keeps its stack for the bug report.
  const known = error instanceof EmbeddedPostgresError || error instanceof ConfigurationError;
  const message = `cannot start: ${error instanceof Error ? error.message : error}`;
  if (known) logger.fatal({}, message);
  else logger.fatal({ err: error }, message);
  await stopAll();
  exit(1);
});

/** Ends the process once the buffered log lines are written. */
function exit(code: number): never {
  try {
    accessLog?.flush();
    logDestination.flushSync();
  } catch {
    // stdout already gone (a closed pipe): nothing more can be said
  }
  process.exit(code);
}
