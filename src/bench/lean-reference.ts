/**
 * The lean references of `make bench`: what this stack alone does on this machine, with none of
 * the project's features. Hono on @hono/node-server; the bearer header read and remembered in a
 * Set (where the project verifies a JWT once and caches it); then, by mode:
 *
 * - `redis`: one Redis GET and JSON.parse (on a miss, the row by a named prepared statement and
 *   SET … EX), then `c.json`: the warm reference for the Redis cache;
 * - `map`: the same over a Map: the warm reference for the in-memory cache;
 * - `database`: the row by one named prepared statement, every time: the cold reference.
 *
 * Every mode also answers `POST /v1/balances/:id/credit` and `/debit` with one guarded
 * `UPDATE … RETURNING`: the reference for writes. The `redis` mode also answers
 * `GET /v1/users/:userId/balances` with the user's first 1,000 balances, kept in Redis as the
 * JSON text sent (one GET, then the text as it is): what this stack does with answers of that
 * size, the yardstick for the heaviest users' lists.
 *
 *   node dist/bench/lean-reference.js <redis|map|database>   (PORT, DATABASE_URL, REDIS_URL)
 */
import { serve } from '@hono/node-server';
import { createClient } from '@redis/client';
import { Hono } from 'hono';
import pg from 'pg';

type Mode = 'redis' | 'map' | 'database';

const mode = process.argv[2] as Mode;
if (!['redis', 'map', 'database'].includes(mode)) {
  throw new Error('usage: lean-reference.js <redis|map|database>');
}
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
pool.on('error', () => {});
const redis = mode === 'redis' ? createClient({ url: process.env.REDIS_URL }) : undefined;
redis?.on('error', () => {});
await redis?.connect();
const map = new Map<string, unknown>();
const tokens = new Set<string>();
const prefix = `lean-${process.pid}:`;

const SELECT = {
  name: 'lean_find_by_id',
  text: 'SELECT id, user_id, token_id, amount, usd_value, version FROM balances WHERE id = $1',
};

async function row(id: string): Promise<unknown> {
  const { rows } = await pool.query({ ...SELECT, values: [id] });
  return rows[0] ?? null;
}

const app = new Hono();
app.use('/v1/*', async (c, next) => {
  const header = c.req.header('authorization');
  if (!header) return c.json({ status: 401 }, 401);
  if (!tokens.has(header)) tokens.add(header);
  await next();
});

app.get('/healthz', (c) => c.json({ status: 'ok' }));

app.get('/v1/balances/:id', async (c) => {
  const id = c.req.param('id');
  if (mode === 'database') return c.json(await row(id));
  if (mode === 'map') {
    if (!map.has(id)) map.set(id, await row(id));
    return c.json(map.get(id));
  }
  const cached = await redis?.get(prefix + id);
  if (cached) return c.json(JSON.parse(cached));
  const value = await row(id);
  await redis?.set(prefix + id, JSON.stringify(value), { EX: 300 });
  return c.json(value);
});

const LIST = {
  name: 'lean_list_by_user',
  text:
    'SELECT id, user_id, token_id, amount, usd_value, address, auto_convert_threshold, ' +
    'created_at, updated_at, version FROM balances WHERE user_id = $1 AND deleted_at IS NULL ' +
    'ORDER BY token_id LIMIT 1000',
};

app.get('/v1/users/:userId/balances', async (c) => {
  const key = `${prefix}user:${c.req.param('userId')}`;
  let text = await redis?.get(key);
  if (!text) {
    const { rows } = await pool.query({ ...LIST, values: [c.req.param('userId')] });
    text = JSON.stringify({ items: rows, nextCursor: null });
    await redis?.set(key, text, { EX: 300 });
  }
  return c.body(text, 200, { 'content-type': 'application/json' });
});

for (const kind of ['credit', 'debit'] as const) {
  const statement = {
    name: `lean_${kind}`,
    text:
      kind === 'credit'
        ? 'UPDATE balances SET amount = amount + $2 WHERE id = $1 RETURNING id, amount, version'
        : 'UPDATE balances SET amount = amount - $2 WHERE id = $1 AND amount >= $2 RETURNING id, amount, version',
  };
  app.post(`/v1/balances/:id/${kind}`, async (c) => {
    const { amount } = await c.req.json<{ amount: string }>();
    const { rows } = await pool.query({ ...statement, values: [c.req.param('id'), amount] });
    return rows[0] ? c.json(rows[0]) : c.json({ status: 409 }, 409);
  });
}

const server = serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: '127.0.0.1' });
process.on('SIGTERM', () => {
  server.close();
  void Promise.all([pool.end(), forgetKeys().finally(() => redis?.close())]).finally(() =>
    process.exit(0),
  );
});

/** Its keys (a thousand large lists among them) expire, but need not wait in a shared Redis. */
async function forgetKeys(): Promise<void> {
  if (!redis) return;
  for await (const keys of redis.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) {
    if (keys.length > 0) await redis.unlink(keys);
  }
}
