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
  /**
   * Behind a pooler in transaction mode (PgBouncer): consecutive transactions may run on
   * different server sessions, so nothing is set per session. The timeouts are set with
   * `SET LOCAL` at the start of each transaction instead (see `beginStatement`), and
   * statements go unnamed. Default: DATABASE_TRANSACTION_POOLING=1 in the environment.
   */
  transactionPooling?: boolean;
}

const DEFAULTS: Required<PoolSettings> = {
  max: 10,
  connectionTimeoutMillis: 2_000,
  statementTimeoutMillis: 5_000,
  lockTimeoutMillis: 2_000,
  idleInTransactionTimeoutMillis: 10_000,
  transactionPooling: false,
};

const beginStatements = new WeakMap<pg.Pool, string>();
/** Pools behind a transaction-mode pooler, where a named statement does not survive. */
const transactionPooled = new WeakSet<pg.Pool>();

/**
 * Whether `pool` is behind a transaction-mode pooler, where a statement sent on its own runs
 * with none of the pool's timeouts (they are `SET LOCAL`s in `beginStatement`).
 */
export function usesTransactionPooling(pool: pg.Pool): boolean {
  return transactionPooled.has(pool);
}

/**
 * Whether statements on `pool` may be named (prepared once per connection): not behind a
 * transaction-mode pooler (PgBouncer 1.18 keeps no prepared statement there), nor when
 * DATABASE_NAMED_STATEMENTS=0 says so.
 */
export function allowsNamedStatements(pool: pg.Pool): boolean {
  return !transactionPooled.has(pool) && process.env.DATABASE_NAMED_STATEMENTS !== '0';
}

/**
 * What starts a transaction on `pool`: `BEGIN`, or behind a transaction-mode pooler `BEGIN`
 * with the pool's timeouts as `SET LOCAL`s, in one round trip (a simple query may hold several
 * statements).
 */
export function beginStatement(pool: pg.Pool): string {
  return beginStatements.get(pool) ?? 'BEGIN';
}

/**
 * A pg pool where nothing waits forever: pg's defaults let a query wait for a connection
 * indefinitely and PostgreSQL's let a statement or a lock wait run unbounded.
 */
export function createPool(connectionString: string, settings: PoolSettings = {}): pg.Pool {
  // What sits in front of the servers is a fact of the deployment, not of one caller: every
  // pool follows it (the server's and its replicas', the command-line tools', the tests').
  const fromEnvironment = { transactionPooling: process.env.DATABASE_TRANSACTION_POOLING === '1' };
  const s = { ...DEFAULTS, ...fromEnvironment, ...settings };
  const timeouts = {
    statement_timeout: s.statementTimeoutMillis,
    lock_timeout: s.lockTimeoutMillis,
    idle_in_transaction_session_timeout: s.idleInTransactionTimeoutMillis,
  };
  const pool = new pg.Pool({
    connectionString,
    max: s.max,
    connectionTimeoutMillis: s.connectionTimeoutMillis,
    // As startup parameters, for the whole session; a transaction-mode pooler refuses them.
    ...(s.transactionPooling ? {} : timeouts),
    // The client-side twin of statement_timeout: fires even when the server cannot answer.
    query_timeout: s.statementTimeoutMillis + 1_000,
  });
  if (s.transactionPooling) {
    const locals = Object.entries(timeouts).map(([name, ms]) => `SET LOCAL ${name} = ${ms}`);
    beginStatements.set(pool, ['BEGIN', ...locals].join('; '));
    transactionPooled.add(pool);
  }
  listenForErrors(pool);
  return pool;
}

/**
 * A pool with `pool`'s settings and connections of its own, at most `max`: for work that must
 * not queue behind requests when the main pool is busy.
 */
export function siblingPool(pool: pg.Pool, max: number): pg.Pool {
  const sibling = new pg.Pool({ ...pool.options, max });
  listenForErrors(sibling);
  const begin = beginStatements.get(pool);
  if (begin) beginStatements.set(sibling, begin);
  if (transactionPooled.has(pool)) transactionPooled.add(sibling);
  return sibling;
}

function listenForErrors(pool: pg.Pool): void {
  // An idle client whose server went away emits 'error'; without a listener that would crash
  // the process. The pool drops the client and the next query opens a fresh one.
  pool.on('error', () => {});
  // A client checked out by pool.query listens for one error only; a terminated backend can
  // emit two (the FATAL message, then the closed socket), and the second would crash the
  // process (seen under make check-consistency). The query has its error either way.
  pool.on('connect', (client) => client.on('error', () => {}));
}
