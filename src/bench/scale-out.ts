/**
 * Scale-out scenarios of `make bench`: warm and cold `GET /v1/balances/:id` against the built
 * server with Redis and WORKERS=1, with WORKERS=2, and with a Redis Cluster of its own (three
 * masters, three replicas: src/check/redis-cluster.ts), one setup after the other in the same
 * run, each held to WORKERS=1 and to the lean references. Each run also records the cores that
 * autocannon, the API processes, the cluster's nodes and the whole machine used, because on a
 * 2-core machine they all share the same two cores and WORKERS=2 cannot double anything.
 */
import type pg from 'pg';
import { signToken } from '../auth/tokens.js';
import { childrenOf } from '../check/processes.js';
import { RedisCluster } from '../check/redis-cluster.js';
import { flushPrefix } from '../dba/cache-admin.js';
import { startProcess } from './bench-process.js';
import { REFERENCE_PREFIX, SECRET, startReference } from './http-level.js';
import { type HttpFigures, load, type Scenario } from './load.js';
import { postgresBackendPids, redisServerPid, startCpuCount } from './process-cpu.js';
import type { SampleRow } from './query-level.js';
import { round } from './stats.js';

export type ScaleOutSetup = 'Redis, WORKERS=1' | 'Redis, WORKERS=2' | 'Redis Cluster, WORKERS=1';

export interface ScaleOutFigures
  extends Omit<HttpFigures, 'ratioToBaseline' | 'reference' | 'ratioToReference'> {
  setup: ScaleOutSetup;
  read: 'warm' | 'cold';
  /** requests/s over the same read's with Redis and WORKERS=1, in the same run. */
  ratioToOneWorker: number;
  /** The lean reference this read is held to, and requests/s over its. */
  reference?: string;
  ratioToReference?: number;
  /**
   * Cold reads only: the share of requests that asked for an id already read in this run (the
   * run outlasted its ids), hence could be cache hits. 0 means every request was a miss.
   */
  repeatedShare?: number;
  /** Cores used during the run (Linux only). */
  cores?: CoresUsed;
}

export interface CoresUsed {
  /** autocannon (this process). */
  generator: number;
  /** The API processes: the server, or a WORKERS=2 primary and its workers. */
  api: number;
  /** Each worker alone: how evenly the kernel spread the connections among them. */
  workers: number[];
  /** PostgreSQL's backends serving the bench's database (0 when PostgreSQL is elsewhere). */
  postgres: number;
  /**
   * The Redis (shared with anything else on the machine that uses it) or the cluster's six
   * redis-servers; 0 when Redis is elsewhere.
   */
  redis: number;
  /** Every process on the machine, other work on a shared machine included. */
  machine: number;
  /** The machine's cores less all of the above: other work on the machine, the kernel. */
  other: number;
}

const SETUPS: ScaleOutSetup[] = [
  'Redis, WORKERS=1',
  'Redis, WORKERS=2',
  'Redis Cluster, WORKERS=1',
];
/** Generous for 2 cores: cold ids a setup gets per second of run, so no id is read twice. */
const COLD_IDS_PER_SECOND = 20_000;

/**
 * Runs every setup in turn. Setups that cannot run here (no redis-server for the cluster) are
 * left out and said in `notes` (under CI=true they fail the run instead).
 * @throws Error when a server does not start or the database has too few rows; in a quick run,
 *   also when a setup answered errors or nothing, so these scenarios cannot rot unseen in CI
 */
export async function benchScaleOut(options: {
  pool: pg.Pool;
  databaseUrl: string;
  redisUrl: string;
  /** Read while warming each server up (never by the cold runs). */
  rows: SampleRow[];
  durationSeconds: number;
  connections: number;
  /** The HTTP figures of this run: the lean references are taken from them when there. */
  http: HttpFigures[];
  notes: string[];
  /** The smoke run (`make bench-smoke`): a setup answering errors, or nothing, fails it. */
  quick: boolean;
}): Promise<ScaleOutFigures[]> {
  const token = await signToken({ userId: 'bench', role: 'admin' }, SECRET);
  const sampleIds = options.rows.map((r) => r.id);
  const warmId = sampleIds[Math.floor(sampleIds.length / 2)];
  if (!warmId) throw new Error('no rows to read');
  const warm: Scenario = {
    name: 'warm',
    method: 'GET',
    paths: [`/v1/balances/${warmId}`],
    cursor: { next: 0 },
  };
  const sample: Scenario = {
    name: 'sample',
    method: 'GET',
    paths: sampleIds.map((id) => `/v1/balances/${id}`),
    cursor: { next: 0 },
  };
  const coldIds = await coldIdSlices(options.pool, sampleIds, options.durationSeconds);
  const references = await referenceFigures(options, token, warm, sample);
  const singleRedis = await redisServerPid(options.redisUrl);
  const measure = async (
    server: { pid: number },
    redisPids: number[],
    run: () => ReturnType<typeof load>,
  ) => {
    const workerPids = childrenOf(server.pid);
    const count = startCpuCount<string>({
      api: [server.pid, ...workerPids],
      postgres: await postgresBackendPids(options.pool, options.databaseUrl),
      redis: redisPids,
      ...Object.fromEntries(workerPids.map((pid) => [`worker ${pid}`, [pid]])),
    });
    const result = await run();
    const used = count?.();
    if (!used) return { result };
    const at = (group: string) => used.groups[group] ?? 0;
    const known = result.generatorCores + at('api') + at('postgres') + at('redis');
    const cores: CoresUsed = {
      generator: result.generatorCores,
      api: at('api'),
      workers: workerPids.map((pid) => at(`worker ${pid}`)),
      postgres: at('postgres'),
      redis: at('redis'),
      machine: used.machine,
      other: round(Math.max(0, used.machine - known), 2),
    };
    return { result, cores };
  };

  const figures: ScaleOutFigures[] = [];
  for (const [i, setup] of SETUPS.entries()) {
    let cluster: RedisCluster | undefined;
    if (setup.startsWith('Redis Cluster')) {
      try {
        cluster = await RedisCluster.start();
      } catch (error) {
        // CI has redis-server: there a cluster that does not start is a failure, not a skip.
        if (process.env.CI) throw error;
        options.notes.push(
          `Redis Cluster figures skipped: the cluster did not start here (${(error as Error).message.split('\n')[0]})`,
        );
        continue;
      }
    }
    try {
      const server = await startApi(options.databaseUrl, setup, options.redisUrl, cluster);
      try {
        // Unmeasured: the JIT, the pools and every worker warmed up on ids the cold run skips.
        await load(server.port, token, sample, { ...options, durationSeconds: 1 });
        const cold: Scenario = {
          name: 'cold',
          method: 'GET',
          paths: (coldIds[i] ?? []).map((id) => `/v1/balances/${id}`),
          cursor: { next: 0 },
        };
        for (const [read, scenario] of [
          ['warm', warm],
          ['cold', cold],
        ] as const) {
          const redis = cluster?.pids ?? (singleRedis ? [singleRedis] : []);
          const { result, cores } = await measure(server, redis, () =>
            load(server.port, token, scenario, options),
          );
          figures.push({
            ...result,
            name: `balance by id, ${read}, ${setup}`,
            setup,
            read,
            ratioToOneWorker: 1,
            ...(read === 'cold'
              ? {
                  repeatedShare: round(
                    Math.max(0, result.requests - result.distinctPaths) /
                      Math.max(1, result.requests),
                    3,
                  ),
                }
              : {}),
            ...(cores ? { cores } : {}),
          });
        }
      } finally {
        await server.stop();
        // The shared Redis keeps nothing of the bench's (the cluster goes away whole).
        if (!cluster) await flushPrefix(options.redisUrl, keyPrefix(server.port));
      }
    } finally {
      await cluster?.remove();
    }
  }

  for (const figure of figures) {
    const one = figures.find((f) => f.read === figure.read && f.setup === 'Redis, WORKERS=1');
    figure.ratioToOneWorker = round(
      figure.requestsPerSecond / Math.max(1, one?.requestsPerSecond ?? 0),
      3,
    );
    const reference = references[figure.read];
    if (reference) {
      figure.reference = reference.name;
      figure.ratioToReference = round(
        figure.requestsPerSecond / Math.max(1, reference.requestsPerSecond),
        3,
      );
    }
  }
  const failed = figures.filter((f) => f.errors > 0 || f.non2xx > 0 || f.requestsPerSecond === 0);
  if (failed.length > 0) {
    const which = `scale-out runs with errors, non-2xx answers or no answer at all: ${failed.map((f) => f.name).join('; ')}`;
    if (options.quick) throw new Error(which);
    options.notes.push(which);
  }
  return figures;
}

/**
 * Ids no warm-up reads, spread over the table, one disjoint slice per setup, so a cold run
 * reads each id once: a guaranteed cache miss (and the PostgreSQL row not freshly touched).
 */
async function coldIdSlices(
  pool: pg.Pool,
  sampleIds: string[],
  durationSeconds: number,
): Promise<string[][]> {
  const { rows } = await pool.query<{ id: string }>(
    `SELECT id::text AS id
     FROM balances
     WHERE NOT (id = ANY($1::bigint[]))
     ORDER BY md5(id::text)
     LIMIT $2`,
    [sampleIds, SETUPS.length * COLD_IDS_PER_SECOND * durationSeconds],
  );
  const perSetup = Math.floor(rows.length / SETUPS.length);
  if (perSetup === 0) throw new Error('too few rows for the cold scale-out reads');
  return SETUPS.map((_, i) => rows.slice(i * perSetup, (i + 1) * perSetup).map((r) => r.id));
}

/**
 * The lean references for a warm read with Redis and a cold read: from this run's HTTP figures,
 * or measured here when the run had none (`--only scale`).
 */
async function referenceFigures(
  options: {
    databaseUrl: string;
    redisUrl: string;
    durationSeconds: number;
    connections: number;
    http: HttpFigures[];
  },
  token: string,
  warm: Scenario,
  sample: Scenario,
): Promise<Record<'warm' | 'cold', { name: string; requestsPerSecond: number } | undefined>> {
  const names = {
    warm: `${REFERENCE_PREFIX} Redis: by id`,
    cold: `${REFERENCE_PREFIX} PostgreSQL: by id`,
  };
  const found = {
    warm: options.http.find((f) => f.name === names.warm),
    cold: options.http.find((f) => f.name === names.cold),
  };
  for (const [read, mode, scenario] of [
    ['warm', 'redis', warm],
    ['cold', 'database', sample],
  ] as const) {
    if (found[read]) continue;
    const reference = await startReference(mode, options.databaseUrl, options.redisUrl);
    try {
      await load(reference.port, token, scenario, { ...options, durationSeconds: 1 });
      const result = await load(reference.port, token, { ...scenario, name: names[read] }, options);
      found[read] = { ...result, ratioToBaseline: 0 };
    } finally {
      await reference.stop();
    }
  }
  return found;
}

/** The cache key prefix of the server on `port`: its own keys in a shared Redis. */
const keyPrefix = (port: number) => `bench-scale-${port}:`;

/** The built server for one setup, waited for until every worker is up. */
async function startApi(
  databaseUrl: string,
  setup: ScaleOutSetup,
  redisUrl: string,
  cluster?: RedisCluster,
) {
  const workers = setup === 'Redis, WORKERS=2' ? 2 : 1;
  const server = await startProcess(['server.js'], (port) => ({
    DATABASE_URL: databaseUrl,
    REDIS_URL: cluster ? '' : redisUrl,
    REDIS_CLUSTER_NODES: cluster ? cluster.seeds : '',
    WORKERS: String(workers),
    CACHE_KEY_PREFIX: keyPrefix(port),
    AUTH_SECRET: SECRET,
    // As the other HTTP figures: every feature on, the access log included.
    LOG_LEVEL: 'info',
    NODE_ENV: 'production',
    SHUTDOWN_DRAIN_MS: '0',
  }));
  // /healthz answers once one worker listens; the run must not start before the second.
  for (let attempt = 0; workers > 1 && childrenOf(server.pid).length < workers; attempt++) {
    if (attempt > 300) {
      await server.stop();
      throw new Error(`WORKERS=${workers}: not every worker started`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return server;
}
