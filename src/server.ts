/**
 * `npm start`: reads the environment, brings PostgreSQL up (embedded unless DATABASE_URL) and
 * migrates it, builds the service and the HTTP API, listens, and shuts down gracefully on
 * SIGTERM or SIGINT: /readyz turns 503, new connections stop after a short drain, in-flight
 * requests finish, then Redis, the pool and the embedded PostgreSQL close.
 */
import { type ServerType, serve } from '@hono/node-server';
import pino from 'pino';
import { collectDefaultMetrics } from 'prom-client';
import { resolveAuthSecret } from './auth/secret.js';
import { signToken } from './auth/tokens.js';
import { cacheConfigFromEnv, positiveInteger } from './config.js';
import { openDatabaseServer } from './db/database-server.js';
import { migrate } from './db/migrations.js';
import { createPool } from './db/pool.js';
import { addDemoDataIfEmpty, DEMO_USER_ID } from './demo-data.js';
import { createApp } from './http/app.js';
import { createMetrics } from './metrics.js';
import { createBalanceService } from './service/create-balance-service.js';

const PURGE_EVERY_MS = 60 * 60_000;

const env = process.env;
const logger = pino({ level: env.LOG_LEVEL ?? 'info', base: { service: 'balance-service' } });
const stopping: (() => Promise<void>)[] = []; // run in reverse order at shutdown
let shuttingDown = false;

async function main(): Promise<void> {
  const port = positiveInteger(env, 'PORT', 3000);
  const host = env.HOST ?? '127.0.0.1';
  const drainMs = nonNegativeInteger('SHUTDOWN_DRAIN_MS', 1_000);
  const { secret, generated } = resolveAuthSecret(env);
  const cacheConfig = cacheConfigFromEnv(env);

  const database = await openDatabaseServer(env, (line) =>
    logger.debug({ postgres: line }, 'postgres'),
  );
  stopping.push(() => database.stop());
  for (const name of await migrate(database.url, 'up'))
    logger.info({ migration: name }, 'migration applied');

  const pool = createPool(database.url, {
    max: positiveInteger(env, 'DATABASE_POOL_MAX', 10),
    statementTimeoutMillis: positiveInteger(env, 'DATABASE_STATEMENT_TIMEOUT_MS', 5_000),
  });
  const metrics = createMetrics();
  collectDefaultMetrics({ register: metrics.registry });
  const { service, cache, close } = createBalanceService({
    pool,
    config: cacheConfig,
    metrics,
    logger,
    logQueries: env.LOG_SQL === '1' || env.LOG_SQL === 'true',
    namedStatements: env.DATABASE_NAMED_STATEMENTS !== '0',
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
    authSecret: secret,
    isShuttingDown: () => shuttingDown,
  });
  const server = await listen(app.fetch, port, host);
  registerShutdown(server, drainMs);

  const url = `http://${host === '0.0.0.0' ? 'localhost' : host}:${port}`;
  logger.info(
    {
      url,
      docs: `${url}/docs`,
      database: database.embedded ? 'embedded' : 'DATABASE_URL',
      cache: cacheConfig.redisUrl ? 'redis' : 'memory',
    },
    'balance-service listening',
  );
  if (generated) {
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
}

function listen(fetch: Parameters<typeof serve>[0]['fetch'], port: number, hostname: string) {
  return new Promise<ServerType>((resolve, reject) => {
    const server = serve({ fetch, port, hostname }, () => resolve(server));
    server.once('error', reject);
  });
}

function registerShutdown(server: ServerType, drainMs: number): void {
  const shutdown = async (signal: NodeJS.Signals) => {
    if (shuttingDown) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    shuttingDown = true;
    logger.info({ signal, drainMs }, 'shutting down: /readyz answers 503, draining');
    // Load balancers need a moment to see /readyz fail; meanwhile requests are still served.
    await new Promise((resolve) => setTimeout(resolve, drainMs));
    await closeServer(server);
    await stopAll();
    logger.info({}, 'stopped');
    process.exit(0);
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
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

async function stopAll(): Promise<void> {
  for (const stop of stopping.reverse()) {
    await stop().catch((error: unknown) => logger.error({ err: error }, 'shutdown step failed'));
  }
}

function nonNegativeInteger(name: string, fallback: number): number {
  return env[name] === '0' ? 0 : positiveInteger(env, name, fallback);
}

main().catch(async (error: unknown) => {
  logger.fatal({ err: error }, `cannot start: ${error instanceof Error ? error.message : error}`);
  await stopAll();
  process.exit(1);
});
