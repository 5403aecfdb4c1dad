import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PG_MIGRATE_LOCK_ID, type RunnerOption, runner } from 'node-pg-migrate';
import pg from 'pg';
import { projectRoot } from './database-server.js';

const MIGRATIONS_DIR = join(projectRoot, 'migrations');
const MIGRATIONS_TABLE = 'pgmigrations';

export type Direction = 'up' | 'down';

/**
 * Runs pending migrations up (all of them by default) or rolls back `count` of them (one by
 * default), each in its own transaction. Returns the names of the migrations it ran.
 *
 * Works through PgBouncer in transaction mode too: the lock that keeps two instances from
 * migrating at once is held by a transaction of its own (see `holdMigrationLock`), not by the
 * session that node-pg-migrate would lock, which a pooler does not keep.
 */
export async function migrate(
  databaseUrl: string,
  direction: Direction,
  options: { count?: number; log?: (line: string) => void } = {},
): Promise<string[]> {
  const log = options.log ?? (() => {});
  const settings: RunnerOption = {
    databaseUrl,
    dir: MIGRATIONS_DIR,
    migrationsTable: MIGRATIONS_TABLE,
    direction,
    count: options.count ?? (direction === 'up' ? Number.POSITIVE_INFINITY : 1),
    checkOrder: true,
    singleTransaction: false,
    noLock: true, // holdMigrationLock takes node-pg-migrate's lock instead
    verbose: false,
    logger: { debug: () => {}, info: log, warn: log, error: log },
  };
  const release = await holdMigrationLock(databaseUrl);
  try {
    const ran = await runner(settings);
    return ran.map((migration) => migration.name);
  } finally {
    await release();
  }
}

/**
 * Takes node-pg-migrate's advisory lock as a transaction-level lock, in a transaction left open
 * on a connection of its own until `release`. Several instances starting at once (a rolling
 * deploy) queue on it instead of all but one failing to start. node-pg-migrate's own lock is
 * session-level: behind PgBouncer in transaction mode its lock, its migrations and its unlock
 * may each run on another server session, and a lock left on one would stall every later run.
 * An open transaction keeps its one server session, and a lost client ends it, lock included.
 * It conflicts with a session-level lock on the same key, so it still excludes older versions.
 */
async function holdMigrationLock(databaseUrl: string): Promise<() => Promise<void>> {
  // Bounded like the pools' connections: a server that never answers fails the start, in time.
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 10_000 });
  client.on('error', () => {}); // a lost connection fails the migration's own statements
  await client.connect();
  try {
    // Idle for as long as the migrations run: a role's idle timeout must not end it.
    await client.query('BEGIN; SET LOCAL idle_in_transaction_session_timeout = 0');
    await client.query('SELECT pg_advisory_xact_lock($1)', [String(PG_MIGRATE_LOCK_ID)]);
  } catch (error) {
    await client.end().catch(() => {});
    throw error;
  }
  return async () => {
    await client.query('COMMIT').catch(() => {});
    await client.end().catch(() => {});
  };
}

export interface MigrationState {
  name: string;
  /** When it was applied, or undefined while pending. */
  appliedAt: Date | undefined;
}

/** Every migration file in order, with when it was applied. */
export async function migrationStatus(databaseUrl: string): Promise<MigrationState[]> {
  const files = (await readdir(MIGRATIONS_DIR))
    .filter((file) => !file.startsWith('.'))
    .map((file) => file.replace(/\.[^.]+$/, ''))
    .sort();
  const applied = await appliedMigrations(databaseUrl);
  return files.map((name) => ({ name, appliedAt: applied.get(name) }));
}

async function appliedMigrations(databaseUrl: string): Promise<Map<string, Date>> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string; run_on: Date }>(
      `SELECT name, run_on FROM ${MIGRATIONS_TABLE} ORDER BY id`,
    );
    return new Map(rows.map((row) => [row.name, row.run_on]));
  } catch (error) {
    // 42P01: no migration has ever run here, so the table does not exist yet.
    if ((error as { code?: string }).code === '42P01') return new Map();
    throw error;
  } finally {
    await client.end();
  }
}
