import pg from 'pg';

/**
 * Every process that uses the embedded server holds a lease on it: one connection holding a
 * shared advisory lock. The server runs while any lease is held, whoever started it; the last
 * process to let go stops it. A lease ends with its process, however that process ends (the
 * kernel closes the socket, PostgreSQL releases the lock), so a crashed process never keeps the
 * server up, and a server it left running is taken over by the next start.
 */
export interface Lease {
  /** Leases held by other processes when this one was taken (0: nobody else was using it). */
  readonly others: number;
  /** Gives the lease up; true when no other lease was held, so the caller must stop the server. */
  release(): Promise<boolean>;
}

/** An arbitrary constant, the same in every process of ours. */
const LEASE_LOCK_KEY = 42_000_042;

/**
 * Takes a lease on the server at `url`, or resolves undefined when the server is being stopped
 * by its last holder (whose exclusive lock is then held).
 *
 * @throws the connection's error when the server does not answer.
 */
export async function takeLease(url: string): Promise<Lease | undefined> {
  const client = new pg.Client({
    connectionString: url,
    application_name: 'balance-service lease',
    connectionTimeoutMillis: 5_000,
  });
  // The server stopping (by another holder, or an operator) ends the lease with an error event:
  // without a listener it would crash the process.
  client.on('error', () => {});
  await client.connect();
  let others: number;
  try {
    const leased = await client.query<{ leased: boolean }>(
      'SELECT pg_try_advisory_lock_shared($1) AS leased',
      [LEASE_LOCK_KEY],
    );
    if (!leased.rows[0]?.leased) {
      await client.end();
      return undefined;
    }
    // Advisory locks on a key below 2^32 show its value in objid.
    const holders = await client.query<{ count: string }>(
      "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = $1 AND granted",
      [LEASE_LOCK_KEY],
    );
    others = Number(holders.rows[0]?.count ?? 1) - 1;
  } catch (error) {
    await client.end().catch(() => {});
    throw error;
  }
  let released: Promise<boolean> | undefined;
  return {
    others,
    release: () => {
      // Dropping the shared lock and trying the exclusive one in one statement: of two holders
      // letting go at once, the later one always gets it, so the server is never left running.
      released ??= client
        .query<{ last: boolean }>(
          'SELECT pg_advisory_unlock_shared($1) AS unlocked, pg_try_advisory_lock($1) AS last',
          [LEASE_LOCK_KEY],
        )
        .then(
          async ({ rows }) => {
            const last = rows[0]?.last === true;
            // The last holder keeps its exclusive lock, so no lease starts while it stops the
            // server; the others are done with it.
            if (!last) await client.end().catch(() => {});
            return last;
          },
          () => false, // the server is already gone
        );
      return released;
    },
  };
}
