import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startEmbeddedPostgres } from './embedded-postgres.js';

/** The project's root folder, the same from `src/db` and from the compiled `dist/db`. */
export const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The database the service uses on the embedded server. */
const EMBEDDED_DATABASE = 'balances';

/** The PostgreSQL this process talks to, and how to let it go. */
export interface DatabaseServer {
  /** URL of the database to use. */
  readonly url: string;
  /** True when the server is the embedded one (started here or by another process of ours). */
  readonly embedded: boolean;
  /** Stops the embedded server if this process started it; never touches an external one. */
  stop(): Promise<void>;
}

/**
 * `DATABASE_URL` when it is set; otherwise the embedded PostgreSQL in `.data/postgres` (or
 * `EMBEDDED_POSTGRES_DIR`), on `EMBEDDED_POSTGRES_PORT` or a free port, with a `balances`
 * database created on first use.
 */
export async function openDatabaseServer(
  env: NodeJS.ProcessEnv = process.env,
  onLog?: (line: string) => void,
): Promise<DatabaseServer> {
  if (env.DATABASE_URL) {
    return { url: env.DATABASE_URL, embedded: false, stop: async () => {} };
  }
  const server = await startEmbeddedPostgres({
    dataDir: env.EMBEDDED_POSTGRES_DIR ?? join(projectRoot, '.data', 'postgres'),
    port: env.EMBEDDED_POSTGRES_PORT ? Number(env.EMBEDDED_POSTGRES_PORT) : undefined,
    onLog,
  });
  try {
    await createDatabaseIfMissing(server.url, EMBEDDED_DATABASE);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return {
    url: withDatabase(server.url, EMBEDDED_DATABASE),
    embedded: true,
    stop: () => server.stop(),
  };
}

/** The same server URL pointing at another database. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

async function createDatabaseIfMissing(serverUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [
      database,
    ]);
    if (rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
  } catch (error) {
    // 42P04: a concurrent start created it first.
    if ((error as { code?: string }).code !== '42P04') throw error;
  } finally {
    await client.end();
  }
  // The embedded server preloads pg_stat_statements; its view lives in each database.
  const app = new pg.Client({ connectionString: withDatabase(serverUrl, database) });
  await app.connect();
  try {
    await app.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  } finally {
    await app.end();
  }
}
