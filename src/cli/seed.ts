/**
 * `make seed ROWS=1000000 USERS=100000 [FORCE=1]`: deterministic, realistic data (see
 * src/dba/seed.ts), on DATABASE_URL or the embedded PostgreSQL, migrated first.
 *
 *   node dist/cli/seed.js --rows N [--users N] [--force]
 */
import { openDatabaseServer } from '../db/database-server.js';
import { migrate } from '../db/migrations.js';
import { createPool } from '../db/pool.js';
import { seed } from '../dba/seed.js';
import { progressReporter } from './progress.js';
import { runCli } from './run-cli.js';

const USAGE = 'usage: seed.js --rows N [--users N] [--force]';

runCli(async (args) => {
  const option = (name: string) => {
    const at = args.indexOf(name);
    return at === -1 ? undefined : Number(args[at + 1]);
  };
  const rows = option('--rows');
  const users = option('--users');
  for (const value of [rows, users]) {
    if (value !== undefined && !(Number.isInteger(value) && value > 0)) throw new Error(USAGE);
  }
  if (rows === undefined) throw new Error(USAGE);

  const server = await openDatabaseServer();
  const pool = createPool(server.url, { max: 1, statementTimeoutMillis: 30 * 60_000 });
  try {
    await migrate(server.url, 'up');
    const started = performance.now();
    const result = await seed(pool, {
      rows,
      users,
      replace: args.includes('--force'),
      onProgress: progressReporter('seeding balances'),
    });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(
      `seeded ${result.rows} balances for ${result.users} users in ${seconds}s, then VACUUM ANALYZE`,
    );
    console.log('a Redis cache may still hold the old rows: make cache-flush');
  } finally {
    await pool.end();
    await server.stop();
  }
});
