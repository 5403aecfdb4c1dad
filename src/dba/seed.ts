/**
 * Deterministic, realistic data for `make seed`: the same arguments give the same rows, so plans
 * and benchmarks can be compared between runs and machines.
 *
 * Shape: `users` users, each with at least one row, whose token counts follow a Zipf-like law
 * (user u holds about rows / u^0.9 of them), so the first users hold thousands of rows and most hold a few; one
 * address per user on most rows; creation times spread over a year; an opening journal entry
 * (an adjustment, as `create` writes) for every non-zero amount, so the journal sums to every
 * balance; 10,000 idempotency keys from the last two days, half past their retention.
 * Everything is set-based SQL, one statement per batch.
 */
import type pg from 'pg';

export interface SeedOptions {
  rows: number;
  /** Default: one user for every ten rows. */
  users?: number;
  /** Replace what the tables hold; without it, seeding a non-empty table is refused. */
  replace?: boolean;
  /** Called after each batch. */
  onProgress?: (done: number, total: number) => void;
}

const BATCH_ROWS = 50_000;
/** A day or two of keys at a modest request rate: enough for the planner to take the index. */
const IDEMPOTENCY_KEY_ROWS = 10_000;
const SKEW = 0.9;
/** Tokens are numbered modulo this prime, so a user's token ids never collide. */
const TOKEN_SPACE = 1_000_003;
/** A fixed origin keeps created_at deterministic. */
const EPOCH = '2025-11-29T00:00:00Z';

/**
 * Fraction i (0 to 3) in [0, 1) of a row's hash: one md5 per row gives four independent
 * 32-bit draws, deterministic, unlike random().
 */
const fraction = (i: number) =>
  `(('x' || substr(r.hash, ${1 + 8 * i}, 8))::bit(32)::bigint / 4294967296.0)`;

/**
 * Each user gets one row plus a Zipf share of the rest; the rounding remainder goes one row
 * each to the heaviest users, so the total is exactly `rows` and every user has at least one.
 */
const USERS_TABLE = `
CREATE TEMP TABLE seed_users ON COMMIT PRESERVE ROWS AS
WITH weights AS (
  SELECT u, 1.0 / power(u, ${SKEW}) AS w FROM generate_series(1, $1::int) AS u
), shares AS (
  SELECT u, 1 + floor(($2::bigint - $1::int) * w / sum(w) OVER ())::bigint AS tokens FROM weights
), counts AS (
  SELECT u AS user_id,
         tokens + CASE WHEN u <= $2::bigint - sum(tokens) OVER () THEN 1 ELSE 0 END AS tokens
  FROM shares
)
SELECT user_id,
       tokens,
       sum(tokens) OVER (ORDER BY user_id) - tokens AS start,
       '0x' || substr(md5('address:' || user_id) || md5('address2:' || user_id), 1, 40) AS address
FROM counts`;

/** Rows numbered (lo, hi] overall: each user's tokens t give row number start + t. */
const INSERT_BATCH = `
WITH inserted AS (
  INSERT INTO balances (user_id, token_id, amount, usd_value, address, auto_convert_threshold,
                        created_at, updated_at)
  SELECT r.user_id,
         r.token_id,
         r.amount,
         -- A token's price comes from its id (Knuth's multiplicative hash), the same for everyone.
         round(r.amount * (0.01 + (r.token_id * 2654435761 % 4294967296) / 4294967296.0 * 3000)::numeric, 2),
         CASE WHEN ${fraction(0)} < 0.85 THEN r.address END,
         CASE WHEN ${fraction(0)} > 0.9 THEN round((${fraction(0)} * 100)::numeric, 2) END,
         r.created_at,
         r.created_at
  FROM (
    SELECT s.user_id,
           ((t * 7919 + s.user_id) % ${TOKEN_SPACE}) + 1 AS token_id,
           s.address,
           h.hash,
           trim_scale(round((${fraction(1).replace('r.hash', 'h.hash')}
             * power(10, floor(${fraction(2).replace('r.hash', 'h.hash')} * 8)))::numeric, 8)) AS amount,
           timestamptz '${EPOCH}' - ${fraction(3).replace('r.hash', 'h.hash')} * interval '365 days' AS created_at
    FROM seed_users AS s,
         generate_series(greatest(1, $1::bigint - s.start + 1), least(s.tokens, $2::bigint - s.start)) AS t,
         LATERAL (SELECT md5(s.user_id || ':' || t) AS hash) AS h
    WHERE s.start < $2::bigint AND s.start + s.tokens > $1::bigint
  ) AS r
  RETURNING id, amount, created_at
)
INSERT INTO balance_entries (balance_id, kind, amount, balance_after, created_at)
SELECT id, 'adjustment', amount, amount, created_at FROM inserted WHERE amount <> 0`;

const IDEMPOTENCY_KEYS = `
INSERT INTO idempotency_keys (key, request_fingerprint, response, created_at)
SELECT 'seed-' || k, 'credit:1:1', '{}', now() - (k % 48) * interval '1 hour'
FROM generate_series(1, $1::int) AS k`;

/**
 * Drops the seeded tables' secondary indexes (not the primary and unique keys, which back
 * constraints) and foreign keys; returns the statements that restore them exactly as they were.
 */
async function setAsideIndexesAndForeignKeys(client: pg.PoolClient): Promise<string[]> {
  const { rows: indexes } = await client.query<{ name: string; definition: string }>(`
    SELECT i.relname AS name, pg_get_indexdef(i.oid) AS definition
    FROM pg_index AS x
    JOIN pg_class AS i ON i.oid = x.indexrelid
    WHERE x.indrelid IN ('balances'::regclass, 'balance_entries'::regclass)
      AND NOT EXISTS (SELECT 1 FROM pg_constraint AS c WHERE c.conindid = x.indexrelid)`);
  const { rows: foreignKeys } = await client.query<{ name: string; definition: string }>(`
    SELECT conname AS name, pg_get_constraintdef(oid) AS definition
    FROM pg_constraint
    WHERE conrelid = 'balance_entries'::regclass AND contype = 'f'`);
  for (const { name } of foreignKeys) {
    await client.query(
      `ALTER TABLE balance_entries DROP CONSTRAINT ${client.escapeIdentifier(name)}`,
    );
  }
  for (const { name } of indexes) await client.query(`DROP INDEX ${client.escapeIdentifier(name)}`);
  return [
    ...indexes.map(({ definition }) => definition),
    ...foreignKeys.map(
      ({ name, definition }) =>
        `ALTER TABLE balance_entries ADD CONSTRAINT ${client.escapeIdentifier(name)} ${definition}`,
    ),
  ];
}

/**
 * Fills balances, balance_entries and idempotency_keys, then VACUUM ANALYZEs them so the
 * planner sees real statistics and index-only scans find an all-visible map.
 *
 * @throws Error when the tables hold rows and `replace` is not set.
 */
export async function seed(
  pool: pg.Pool,
  options: SeedOptions,
): Promise<{ rows: number; users: number }> {
  const rows = options.rows;
  const users = options.users ?? Math.max(1, Math.floor(rows / 10));
  if (users > rows) throw new Error(`cannot give ${users} users a row each out of ${rows}`);
  const client = await pool.connect();
  try {
    const { rows: existing } = await client.query<{ any: boolean }>(
      'SELECT EXISTS (SELECT 1 FROM balances) AS any',
    );
    if (existing[0]?.any && !options.replace) {
      throw new Error('balances is not empty: run with FORCE=1 to replace what it holds');
    }
    // One transaction: if anything fails, the tables, indexes and constraints are as before.
    await client.query('BEGIN');
    try {
      // Index builds sort in memory rather than on disk.
      await client.query("SET LOCAL maintenance_work_mem = '256MB'");
      await client.query(
        'TRUNCATE balances, balance_entries, transfers, idempotency_keys RESTART IDENTITY',
      );
      // Building an index once over all rows is far faster than updating it row by row, and
      // so is checking the journal's foreign key once: set them aside and restore them.
      const restore = await setAsideIndexesAndForeignKeys(client);
      await client.query('DROP TABLE IF EXISTS pg_temp.seed_users');
      await client.query(USERS_TABLE, [users, rows]);
      for (let lo = 0; lo < rows; lo += BATCH_ROWS) {
        const hi = Math.min(rows, lo + BATCH_ROWS);
        await client.query(INSERT_BATCH, [lo, hi]);
        options.onProgress?.(hi, rows);
      }
      await client.query(IDEMPOTENCY_KEYS, [IDEMPOTENCY_KEY_ROWS]);
      for (const statement of restore) await client.query(statement);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    }
    await client.query('VACUUM ANALYZE balances, balance_entries, idempotency_keys');
    return { rows, users };
  } finally {
    client.release();
  }
}
