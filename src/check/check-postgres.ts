/**
 * How the checker's API processes reach its PostgreSQL (`CHECK_PG`): directly, or through a
 * PgBouncer of the check's own in transaction mode, as production deployments run it. The
 * checker itself (its faults, the history's final reads) always talks to PostgreSQL directly.
 */
import { PgBouncer } from '../db/pgbouncer.js';
import type { PostgresProcess } from './cluster.js';

export const CHECK_POSTGRES_KINDS = ['direct', 'pgbouncer'] as const;
export type CheckPostgresKind = (typeof CHECK_POSTGRES_KINDS)[number];

export interface CheckPostgres {
  /** What the API processes get: their DATABASE_URL and how it is pooled. */
  environment: {
    databaseUrl: string;
    /** DATABASE_MIGRATIONS_URL: PostgreSQL itself, whatever sits in front of it. */
    migrationsUrl: string;
    /** DATABASE_TRANSACTION_POOLING=1: no session state, unnamed statements. */
    transactionPooling: boolean;
  };
  /** Transactions PgBouncer relayed to the check's database; undefined when direct. */
  transactionsRelayed(): Promise<number | undefined>;
  remove(): Promise<void>;
}

/**
 * Puts what `kind` names in front of `postgres`. PgBouncer keeps its port across the
 * PostgreSQL restart fault and opens new server connections once PostgreSQL is back.
 */
export async function startCheckPostgres(
  kind: CheckPostgresKind,
  postgres: PostgresProcess,
  log: (line: string) => void,
): Promise<CheckPostgres> {
  if (kind === 'direct') {
    return {
      environment: {
        databaseUrl: postgres.url,
        migrationsUrl: postgres.url,
        transactionPooling: false,
      },
      transactionsRelayed: async () => undefined,
      remove: async () => {},
    };
  }
  const bouncer = await PgBouncer.start(postgres.url);
  log(`PgBouncer in transaction mode at ${bouncer.url}`);
  return {
    environment: {
      databaseUrl: bouncer.url,
      migrationsUrl: postgres.url,
      transactionPooling: true,
    },
    transactionsRelayed: () => bouncer.transactionsRelayed(new URL(postgres.url).pathname.slice(1)),
    remove: () => bouncer.stop(),
  };
}
