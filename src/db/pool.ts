import pg from 'pg';

export interface PoolSettings {
  /** Connections at most (pg's default is 10). */
  max?: number;
  /** How long a query may wait for a free connection; pg's default is forever. */
  connectionTimeoutMillis?: number;
  /** Server-side limit on one statement; unset in PostgreSQL by default. */
  statementTimeoutMillis?: number;
  /** How long a row lock may be waited for before the statement fails. */
  lockTimeoutMillis?: number;
  /** Ends a session left idle inside a transaction, releasing its locks. */
  idleInTransactionTimeoutMillis?: number;
}

const DEFAULTS: Required<PoolSettings> = {
  max: 10,
  connectionTimeoutMillis: 2_000,
  statementTimeoutMillis: 5_000,
  lockTimeoutMillis: 2_000,
  idleInTransactionTimeoutMillis: 10_000,
};

/**
 * A pg pool where nothing waits forever: pg's defaults let a query wait for a connection
 * indefinitely and PostgreSQL's let a statement or a lock wait run unbounded.
 */
export function createPool(connectionString: string, settings: PoolSettings = {}): pg.Pool {
  const s = { ...DEFAULTS, ...settings };
  const pool = new pg.Pool({
    connectionString,
    max: s.max,
    connectionTimeoutMillis: s.connectionTimeoutMillis,
    statement_timeout: s.statementTimeoutMillis,
    lock_timeout: s.lockTimeoutMillis,
    idle_in_transaction_session_timeout: s.idleInTransactionTimeoutMillis,
    // The client-side twin of statement_timeout: fires even when the server cannot answer.
    query_timeout: s.statementTimeoutMillis + 1_000,
  });
  // An idle client whose server went away emits 'error'; without a listener that would crash
  // the process. The pool drops the client and the next query opens a fresh one.
  pool.on('error', () => {});
  return pool;
}
