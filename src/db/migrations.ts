import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type RunnerOption, runner } from 'node-pg-migrate';
import pg from 'pg';
import { projectRoot } from './database-server.js';

const MIGRATIONS_DIR = join(projectRoot, 'migrations');
const MIGRATIONS_TABLE = 'pgmigrations';

export type Direction = 'up' | 'down';

/**
 * Runs pending migrations up (all of them by default) or rolls back `count` of them (one by
 * default), each in its own transaction. Returns the names of the migrations it ran.
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
    // Several instances starting at once (a rolling deploy) queue on the migration lock
    // instead of all but one failing to start.
    advisoryLockMode: 'wait',
    verbose: false,
    logger: { debug: () => {}, info: log, warn: log, error: log },
  };
  const ran = await runner(settings);
  return ran.map((migration) => migration.name);
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
