/**
 * `make test-containers`: the suite against a PostgreSQL and a Redis started by testcontainers,
 * then the usual set-up (test/global-setup.ts) on that PostgreSQL. Images: TEST_POSTGRES_IMAGE
 * (postgres:18) and TEST_REDIS_IMAGE (redis:7); CI builds both locally from Debian packages
 * (test/containers/build-images.sh), as no registry is reachable there.
 *
 * Waits read the logs: Podman's health checks need systemd (the module's pg_isready check is
 * registered but never runs; Podman logs that it has no systemd, harmlessly), and port checks
 * exec into the container. The official postgres image says "ready to accept connections" twice (its
 * initialisation server, then the real one); TEST_POSTGRES_READY_LOGS says how many to await.
 */
import { PostgreSqlContainer } from '@testcontainers/postgresql';
import { RedisContainer } from '@testcontainers/redis';
import { Wait } from 'testcontainers';
import type { TestProject } from 'vitest/node';
import setupDatabase from '../global-setup.js';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const postgresImage = process.env.TEST_POSTGRES_IMAGE || 'postgres:18';
  const redisImage = process.env.TEST_REDIS_IMAGE || 'redis:7';
  const readyLogs = Number(process.env.TEST_POSTGRES_READY_LOGS || 2);
  // Both start at once; if one fails, the other is stopped rather than left running.
  const [startedPostgres, startedRedis] = await Promise.allSettled([
    new PostgreSqlContainer(postgresImage)
      .withWaitStrategy(
        Wait.forLogMessage(/database system is ready to accept connections/, readyLogs),
      )
      .start(),
    new RedisContainer(redisImage)
      .withWaitStrategy(Wait.forLogMessage(/Ready to accept connections/))
      .start(),
  ]);
  const running = [startedPostgres, startedRedis].flatMap((s) =>
    s.status === 'fulfilled' ? [s.value] : [],
  );
  const stopContainers = async () => {
    await Promise.allSettled(running.map((container) => container.stop()));
  };
  if (startedPostgres.status === 'rejected' || startedRedis.status === 'rejected') {
    await stopContainers();
    throw startedPostgres.status === 'rejected'
      ? startedPostgres.reason
      : (startedRedis as PromiseRejectedResult).reason;
  }
  const postgres = startedPostgres.value;
  const redis = startedRedis.value;
  console.log(
    `testcontainers: PostgreSQL ${postgresImage} (${postgres.getId().slice(0, 12)}), ` +
      `Redis ${redisImage} (${redis.getId().slice(0, 12)})`,
  );
  // Set before the test workers start, so they inherit both.
  process.env.DATABASE_URL = postgres.getConnectionUri();
  process.env.REDIS_URL = redis.getConnectionUrl();
  let teardown: (() => Promise<void>) | undefined;
  try {
    teardown = await setupDatabase(project);
  } catch (error) {
    await stopContainers();
    throw error;
  }
  return async () => {
    await teardown?.();
    await stopContainers();
  };
}
