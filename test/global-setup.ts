/**
 * One PostgreSQL for the whole run: DATABASE_URL's server, or the embedded one. The run works in
 * a database of its own, created and migrated here and dropped at the end, so two runs on one
 * server never meet. With TEST_PGBOUNCER=1 (`make test-pgbouncer`) the tests reach it through a
 * PgBouncer of the run's own, in transaction mode, in front of every database on the server. The compiled JavaScript (dist/), which the process tests run as `npm start`
 * does, is built here once for every test file.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { openDatabaseServer, projectRoot, withDatabase } from '../src/db/database-server.js';
import { migrate } from '../src/db/migrations.js';
import { PgBouncer } from '../src/db/pgbouncer.js';
import { createScratchDatabase } from '../src/db/scratch-database.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The run's migrated database. */
    databaseUrl: string;
    /** The same server, for tests that make databases of their own. */
    serverUrl: string;
    /**
     * `databaseUrl` and `serverUrl` on PostgreSQL itself, never through PgBouncer: for what a
     * transaction-mode pooler cannot carry (a migration's lock, a session held open on purpose).
     */
    directDatabaseUrl: string;
    directServerUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const tsc = join(projectRoot, 'node_modules', 'typescript', 'bin', 'tsc');
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.json'], {
    cwd: projectRoot,
    stdio: 'inherit',
  });
  const server = await openDatabaseServer();
  const database = await createScratchDatabase(server.url, 'test');
  await migrate(database.url, 'up');
  const version = await serverVersion(database.url);
  console.log(
    `tests use PostgreSQL ${version}${server.embedded ? ' (embedded)' : ''}, database ${database.name}`,
  );
  // CI runs the suite on several majors: a run meant for one must not pass on another.
  const expectedMajor = process.env.EXPECT_POSTGRES_MAJOR;
  if (expectedMajor && version.split('.')[0] !== expectedMajor) {
    await database.drop();
    await server.stop();
    throw new Error(
      `EXPECT_POSTGRES_MAJOR=${expectedMajor}, but the tests got PostgreSQL ${version}`,
    );
  }
  const bouncer =
    process.env.TEST_PGBOUNCER === '1'
      ? await PgBouncer.start(server.url, { allDatabases: true }).catch(async (error) => {
          await database.drop();
          await server.stop();
          throw error;
        })
      : undefined;
  if (bouncer) {
    console.log(`tests reach it through PgBouncer in transaction mode at ${bouncer.url}`);
    if (process.env.DATABASE_TRANSACTION_POOLING !== '1')
      console.warn('TEST_PGBOUNCER=1 without DATABASE_TRANSACTION_POOLING=1: expect failures');
  }
  project.provide('databaseUrl', bouncer ? withDatabase(bouncer.url, database.name) : database.url);
  project.provide('serverUrl', bouncer?.url ?? server.url);
  project.provide('directDatabaseUrl', database.url);
  project.provide('directServerUrl', server.url);
  return async () => {
    await bouncer?.stop();
    await database.drop();
    await server.stop();
  };
}

async function serverVersion(url: string): Promise<string> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
    return rows[0]?.server_version ?? 'unknown';
  } finally {
    await client.end();
  }
}
