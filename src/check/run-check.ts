/**
 * `make check-consistency`: several API processes over one PostgreSQL and one Redis, many
 * concurrent clients crediting, debiting, transferring between balances (some overdrawing on
 * purpose, some retried with the same idempotency key, some cut off by a client timeout on
 * purpose) and reading a few balances, while faults are injected; then the history is checked
 * (src/check/history.ts, src/check/transfer-history.ts).
 */
import { randomInt } from 'node:crypto';
import pg from 'pg';
import { signToken } from '../auth/tokens.js';
import {
  type CheckPostgresKind,
  type ReplicaShare,
  replicaShare,
  startCheckPostgres,
  uncheckedReplicaReader,
} from './check-postgres.js';
import { type CheckRedisKind, startCheckRedis, type TimedFault } from './check-redis.js';
import { ApiProcess, CHECK_SECRET } from './cluster.js';
import { type Anomaly, checkHistory, type Operation } from './history.js';
import { acknowledged, inDoubt } from './operations.js';

export interface CheckOptions {
  durationMs: number;
  processes: number;
  clients: number;
  balances: number;
  /** Inject the faults (Redis, PostgreSQL, process and pool) during the run. */
  faults: boolean;
  /** WORKERS in each API process (1 by default); with more, a worker is also killed. */
  workers?: number;
  /** The cache's deadline in the API processes (the service's 50 ms by default). */
  cacheTimeoutMs?: number;
  /** One redis-server (default) or a Redis Cluster with failovers (check-redis.ts). */
  redis?: CheckRedisKind;
  /**
   * One PostgreSQL reached directly (default), through PgBouncer, or a primary with a lagging
   * read replica (check-postgres.ts).
   */
  postgres?: CheckPostgresKind;
  /**
   * A bug planted on purpose, to prove the checker catches it: 'skip-invalidation' adds a
   * client that credits through SQL, bypassing the service and so the cache invalidation;
   * 'unchecked-replica-reads' (with `postgres: 'replica'`) a client that reads the replica
   * with no replay check.
   */
  plantedBug?: 'skip-invalidation' | 'unchecked-replica-reads';
  log?: (line: string) => void;
}

export interface CheckReport {
  operations: number;
  acknowledgedWrites: number;
  /** Of which transfers. */
  acknowledgedTransfers: number;
  inDoubt: number;
  refused: Record<string, number>;
  processes: number;
  faults: string[];
  /** With CHECK_PG=pgbouncer: transactions PgBouncer relayed from the API processes. */
  transactionsThroughPgBouncer?: number;
  anomalies: Anomaly[];
  /** With a read replica: the database reads it served, and those it did not. */
  replicaShare?: ReplicaShare;
}

/** Longer than any deadline a request may legitimately take (pool 2 s, statements 5 s). */
const REQUEST_DEADLINE_MS = 15_000;

export async function runCheck(options: CheckOptions): Promise<CheckReport> {
  const log = options.log ?? (() => {});
  log('starting PostgreSQL, Redis and the API processes');
  const postgres = await startCheckPostgres(options.postgres ?? 'direct', log);
  const redis = await startCheckRedis(options.redis ?? 'single', options.faults, log);
  const environment = {
    ...postgres.environment,
    ...redis.environment,
    keyPrefix: 'check:',
    workers: options.workers ?? 1,
    cacheTimeoutMs: options.cacheTimeoutMs,
  };
  const apis = await Promise.all(
    Array.from({ length: options.processes }, () => ApiProcess.start(environment)),
  );
  const pool = new pg.Pool({ connectionString: postgres.url, max: 2 });
  pool.on('error', () => {});
  const token = await signToken({ userId: 'checker', role: 'admin' }, CHECK_SECRET);
  const history: Operation[] = [];
  const faults: string[] = [];
  const origin = performance.now();
  const now = () => performance.now() - origin;

  try {
    const createBalance = async (userId: string) => {
      const response = await fetch(`${apis[0]?.url}/v1/balances`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ userId, tokenId: '1', amount: '100' }),
      });
      return ((await response.json()) as { id: string }).id;
    };
    const balanceIds: string[] = [];
    for (let i = 0; i < options.balances; i++)
      balanceIds.push(await createBalance(String(1000 + i)));

    const liveApi = () => {
      const live = apis.filter((api) => api.alive);
      return live.length > 0 ? live[randomInt(live.length)] : apis[0];
    };

    const send = async (
      op: Omit<Operation, 'startedAt' | 'endedAt' | 'via'>,
      timeoutMs = REQUEST_DEADLINE_MS,
    ) => {
      const api = liveApi();
      const record: Operation = { ...op, via: String(api?.port), startedAt: now(), endedAt: 0 };
      history.push(record);
      const path =
        op.kind === 'read'
          ? `/v1/balances/${op.balanceId}`
          : op.kind === 'transfer'
            ? '/v1/transfers'
            : `/v1/balances/${op.balanceId}/${op.kind}`;
      const body =
        op.kind === 'transfer'
          ? { fromBalanceId: op.balanceId, toBalanceId: op.toBalanceId, amount: op.amount }
          : { amount: op.amount };
      try {
        const response = await fetch(`${api?.url}${path}`, {
          method: op.kind === 'read' ? 'GET' : 'POST',
          headers: {
            authorization: `Bearer ${token}`,
            'content-type': 'application/json',
            ...(op.key ? { 'idempotency-key': op.key } : {}),
          },
          body: op.kind === 'read' ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(timeoutMs),
        });
        record.status = response.status;
        record.body = await response.text();
      } catch (error) {
        record.error = error instanceof Error ? error.name : String(error);
      }
      record.endedAt = now();
      return record;
    };

    const deadline = options.durationMs;
    const client = async (clientId: number) => {
      let sequence = 0;
      while (now() < deadline) {
        const balanceId = balanceIds[randomInt(balanceIds.length)] ?? '';
        const roll = randomInt(100);
        const amount = `${randomInt(1, 3000) / 100}`;
        if (roll < 45) {
          await send({ client: clientId, kind: 'read', balanceId });
        } else if (roll < 65) {
          await send({ client: clientId, kind: roll < 55 ? 'credit' : 'debit', balanceId, amount });
        } else if (roll < 80) {
          // A transfer to another balance; half of them with a key, sent twice.
          const others = balanceIds.filter((id) => id !== balanceId);
          const toBalanceId = others[randomInt(others.length)] ?? '';
          const op = {
            client: clientId,
            kind: 'transfer' as const,
            balanceId,
            toBalanceId,
            amount,
          };
          if (roll < 72) await send(op);
          else {
            const key = `check-t-${clientId}-${sequence++}`;
            await send({ ...op, key });
            await send({ ...op, key });
          }
        } else if (roll < 95) {
          // Retried with the same key, as a client does after a timeout; sometimes elsewhere.
          const key = `check-${clientId}-${sequence++}`;
          const kind = roll < 88 ? 'credit' : 'debit';
          await send({ client: clientId, kind, balanceId, amount, key });
          await send({ client: clientId, kind, balanceId, amount, key });
        } else {
          // Cut off on purpose: the outcome stays in doubt.
          const op = await send({ client: clientId, kind: 'credit', balanceId, amount }, 3);
          if (op.error) op.deliberateTimeout = true;
        }
      }
    };

    const plantedWriter = async () => {
      // Credits through SQL, so nothing invalidates the cache: reads go stale. Its balance is
      // its own: the clients' writes through the service would otherwise invalidate the cached
      // value between this writer's reads, and the bug would show only when a read landed in
      // those gaps, which a loaded machine may not give it within a short run.
      const balanceId = await createBalance('999');
      while (now() < deadline) {
        // Cache the balance, credit it behind the cache's back, and read it again: that read
        // begins after the credit, so it must not return the cached value.
        await send({ client: -1, kind: 'read', balanceId });
        const startedAt = now();
        const { rows } = await pool.query(
          `WITH credited AS (
             UPDATE balances SET amount = amount + 1, version = version + 1 WHERE id = $1
             RETURNING id, amount, version)
           INSERT INTO balance_entries (balance_id, kind, amount, balance_after)
           SELECT id, 'credit', 1, amount FROM credited
           RETURNING id, (SELECT version FROM credited) AS version`,
          [balanceId],
        );
        const entry = rows[0];
        history.push({
          client: -1,
          kind: 'credit',
          balanceId,
          amount: '1',
          via: 'sql',
          startedAt,
          endedAt: now(),
          status: 200,
          body: JSON.stringify({
            balance: { id: balanceId, version: String(entry.version) },
            entry: { id: entry.id },
          }),
        });
        await send({ client: -1, kind: 'read', balanceId });
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };

    // The Redis faults (check-redis.ts) and these, in the order of their times.
    const scheduled: TimedFault[] = [...redis.faults, ...postgres.faults].sort(
      (a, b) => a.at - b.at,
    );
    const injectFaults = async () => {
      const at = async (fraction: number, name: string, fault: () => Promise<unknown>) => {
        while (scheduled[0] && scheduled[0].at <= fraction) {
          const due = scheduled.shift() as TimedFault;
          await injectAt(due.at, due.name, due.inject);
        }
        await injectAt(fraction, name, fault);
      };
      const injectAt = async (fraction: number, name: string, fault: () => Promise<unknown>) => {
        const wait = fraction * deadline - now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        log(`fault: ${name}`);
        faults.push(name);
        await fault();
      };
      await at(0.4, 'PostgreSQL connections terminated', () =>
        pool.query(
          'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
        ),
      );
      await at(0.5, 'PostgreSQL restarted', () => postgres.restart());
      await at(0.65, 'API process sent SIGTERM, another started', async () => {
        const [first] = apis;
        if (!first) return;
        const replacement = await ApiProcess.start(environment);
        apis.push(replacement);
        const code = await first.terminate();
        if (code !== 0) faults.push(`(the terminated process exited with ${code})`);
      });
      if ((options.workers ?? 1) > 1) {
        await at(0.72, 'a worker killed with SIGKILL (its process starts another)', async () => {
          if (apis[1]?.killOneWorker() === undefined) faults.push('(no worker found to kill)');
        });
      }
      await at(0.8, 'pool exhausted (a burst of 60 concurrent debits on one process)', async () => {
        const balanceId = balanceIds[0] ?? '';
        await Promise.all(
          Array.from({ length: 60 }, () =>
            send({ client: -2, kind: 'debit', balanceId, amount: '0.01' }),
          ),
        );
      });
      for (const rest of scheduled.splice(0)) await injectAt(rest.at, rest.name, rest.inject);
    };

    log(
      `running ${options.clients} clients over ${options.processes} processes for ${options.durationMs / 1000} s`,
    );
    await Promise.all([
      ...Array.from({ length: options.clients }, (_, i) => client(i)),
      ...(options.faults ? [injectFaults()] : []),
      ...(options.plantedBug === 'skip-invalidation' ? [plantedWriter()] : []),
      ...(options.plantedBug === 'unchecked-replica-reads'
        ? [
            uncheckedReplicaReader({
              replicaUrl: postgres.environment.databaseReplicaUrls,
              balanceIds,
              until: () => now() >= deadline,
              now,
              record: (op) => history.push(op),
            }),
          ]
        : []),
    ]);
    // Let in-flight retries of failed invalidations land before the final reads are judged.
    await new Promise((resolve) => setTimeout(resolve, 1_000));

    const share = postgres.environment.databaseReplicaUrls
      ? await replicaShare(apis.filter((api) => api.alive).map((api) => api.url))
      : undefined;
    log('checking the history');
    const anomalies = await checkHistory(history, pool, REQUEST_DEADLINE_MS);
    for (const api of apis) {
      if (api.alive || api.stoppedOnPurpose) continue;
      anomalies.push({
        check: 'no API process dies on its own',
        detail: `the process on port ${api.port} exited (${api.exit}) while no fault stopped it`,
      });
    }
    const relayed = await postgres.transactionsRelayed();
    if (relayed === 0)
      anomalies.push({
        check: 'the API processes went through PgBouncer',
        detail: 'PgBouncer relayed no transaction: the run did not test what it says',
      });
    const refused: Record<string, number> = {};
    for (const op of history) {
      if (op.status !== undefined && !acknowledged(op) && op.status !== 200)
        refused[op.status] = (refused[op.status] ?? 0) + 1;
      if (op.error) refused[op.error] = (refused[op.error] ?? 0) + 1;
    }
    return {
      operations: history.length,
      acknowledgedWrites: history.filter(acknowledged).length,
      acknowledgedTransfers: history.filter((op) => op.kind === 'transfer' && acknowledged(op))
        .length,
      inDoubt: history.filter(inDoubt).length,
      refused,
      processes: apis.length,
      faults,
      transactionsThroughPgBouncer: relayed,
      anomalies,
      replicaShare: share,
    };
  } finally {
    await Promise.all(apis.map((api) => api.terminate()));
    await pool.end().catch(() => {});
    await redis.remove();
    await postgres.remove();
  }
}
