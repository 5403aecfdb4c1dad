/**
 * HTTP level: autocannon against the built server on loopback. Every figure is also a ratio to
 * /healthz on the same server in the same run (no database, no cache), because on a shared
 * 2-core machine absolute numbers move from run to run and ratios hold.
 */
import { signToken } from '../auth/tokens.js';
import { flushPrefix } from '../dba/cache-admin.js';
import { startProcess } from './bench-process.js';
import { HEAVIEST_LISTS, prepareHeaviestLists } from './heaviest-lists.js';
import { type HttpFigures, load, median, medianOf, type Scenario } from './load.js';
import type { SampleRow } from './query-level.js';
import { round } from './stats.js';

export const SECRET = 'bench-secret-bench-secret-bench-secret-01';

/** The names of the lean references' figures start with this. */
export const REFERENCE_PREFIX = 'reference,';

/** The Redis reference answering the heaviest users' lists (lean-reference.ts). */
export const SAME_LISTS_REFERENCE = `${REFERENCE_PREFIX} Redis: the same lists`;

/** Which lean reference each of the project's figures is held to. */
const HELD_TO: Record<string, string> = {
  'balance by id, warm': `${REFERENCE_PREFIX} Map: by id`,
  'user token, warm': `${REFERENCE_PREFIX} Map: by id`,
  'user total, warm': `${REFERENCE_PREFIX} Map: by id`,
  'balance by id, warm (Redis)': `${REFERENCE_PREFIX} Redis: by id`,
  'user token, warm (Redis)': `${REFERENCE_PREFIX} Redis: by id`,
  'user total, warm (Redis)': `${REFERENCE_PREFIX} Redis: by id`,
  [HEAVIEST_LISTS]: `${REFERENCE_PREFIX} Redis: by id`,
  'balance by id, cold': `${REFERENCE_PREFIX} PostgreSQL: by id`,
  credit: `${REFERENCE_PREFIX} PostgreSQL: credit`,
  debit: `${REFERENCE_PREFIX} PostgreSQL: debit`,
};

export async function benchHttp(options: {
  databaseUrl: string;
  redisUrl?: string;
  rows: SampleRow[];
  /** Balances of distinct users, for the cold scenarios: never read before, each read once. */
  coldRows: SampleRow[];
  /** Balance ids for the cold read by id, more of them than users (query-level.ts). */
  coldBalanceIds: string[];
  /** Balances with room to be debited many times. */
  funded: string[];
  durationSeconds: number;
  connections: number;
  /** Also measure a cold read with named statements off, on a second server. */
  compareNamedStatements: boolean;
  /** How many times a figure held to a reference alternates with it (the median is kept). */
  rounds: number;
}): Promise<HttpFigures[]> {
  const token = await signToken({ userId: 'bench', role: 'admin' }, SECRET);
  // Warm scenarios read one typical user (the sample's median: a few balances, not thousands).
  const first = options.rows[Math.floor(options.rows.length / 2)];
  if (!first) throw new Error('no rows to read');
  const ids = options.rows.map((r) => r.id);
  const cold = options.coldRows;
  const scenarios: Scenario[] = (<Omit<Scenario, 'cursor'>[]>[
    { name: 'baseline /healthz', method: 'GET', paths: ['/healthz'] },
    { name: 'balance by id, warm', method: 'GET', paths: [`/v1/balances/${first.id}`] },
    {
      name: 'balance by id, cold',
      method: 'GET',
      paths: options.coldBalanceIds.map((id) => `/v1/balances/${id}`),
    },
    { name: 'user balances, warm', method: 'GET', paths: [`/v1/users/${first.userId}/balances`] },
    {
      name: 'user balances, cold',
      method: 'GET',
      paths: cold.map((r) => `/v1/users/${r.userId}/balances`),
    },
    {
      name: 'user token, warm',
      method: 'GET',
      paths: [`/v1/users/${first.userId}/tokens/${first.tokenId}`],
    },
    {
      name: 'user token, cold',
      method: 'GET',
      paths: cold.map((r) => `/v1/users/${r.userId}/tokens/${r.tokenId}`),
    },
    { name: 'user total, warm', method: 'GET', paths: [`/v1/users/${first.userId}/total`] },
    {
      name: 'user total, cold',
      method: 'GET',
      paths: cold.map((r) => `/v1/users/${r.userId}/total`),
    },
    {
      name: 'keyset page of 20',
      method: 'GET',
      paths: ids.map((id) => `/v1/balances?limit=20&after=${id}`),
    },
    {
      name: 'credit',
      method: 'POST',
      paths: ids.map((id) => `/v1/balances/${id}/credit`),
      body: '{"amount":"0.01"}',
    },
    {
      name: 'debit',
      method: 'POST',
      paths: options.funded.map((id) => `/v1/balances/${id}/debit`),
      body: '{"amount":"0.01"}',
    },
  ]).map((scenario) => ({ ...scenario, cursor: { next: 0 } }));

  const byName = (name: string) => scenarios.find((s) => s.name === name) as Scenario;
  // The lean references, each in a process of its own, idle beside the project's servers until
  // measured: a figure held to one is measured right after its reference, loaded exactly alike,
  // so both see the same machine. Minutes apart, a shared machine's speed moved ratios by more
  // than the levers they judge.
  const referenceScenarios: Record<string, ['map' | 'redis' | 'database', Scenario]> = {
    [`${REFERENCE_PREFIX} Map: by id`]: ['map', byName('balance by id, warm')],
    // The same paths on a cursor of its own: the reference caches nothing, so it need not
    // spend the never-read keys the project's cold runs need.
    [`${REFERENCE_PREFIX} PostgreSQL: by id`]: [
      'database',
      { ...byName('balance by id, cold'), cursor: { next: 0 } },
    ],
    [`${REFERENCE_PREFIX} PostgreSQL: credit`]: ['database', byName('credit')],
    [`${REFERENCE_PREFIX} PostgreSQL: debit`]: ['database', byName('debit')],
  };
  if (options.redisUrl) {
    referenceScenarios[`${REFERENCE_PREFIX} Redis: by id`] = [
      'redis',
      byName('balance by id, warm'),
    ];
  }
  const referenceServers = new Map<string, Awaited<ReturnType<typeof startReference>>>();
  const referenceRuns = new Map<string, Omit<HttpFigures, 'ratioToBaseline'>[]>();
  const figures: HttpFigures[] = [];
  let baseline = 0;
  /** Loads `scenario` on `port`, and its reference (if it has one) right before it. */
  const measure = async (
    { port, pid }: { port: number; pid: number },
    scenario: Scenario,
    name = scenario.name,
  ) => {
    const referenceName = HELD_TO[name];
    const held = referenceName ? referenceScenarios[referenceName] : undefined;
    const server = held && referenceServers.get(held[0]);
    // A figure held to a reference alternates with it, `rounds` times, and each keeps its
    // median run: one run of each was swayed by a few seconds of the machine's other work.
    const results: Omit<HttpFigures, 'ratioToBaseline'>[] = [];
    const references: typeof results = [];
    for (let round = 0; round < (server ? options.rounds : 1); round++) {
      if (held && server && referenceName) {
        references.push(
          await load(
            server.port,
            token,
            { ...held[1], name: referenceName },
            { ...options, serverPid: server.pid },
          ),
        );
      }
      results.push(await load(port, token, { ...scenario, name }, { ...options, serverPid: pid }));
    }
    const result = { ...median(results), serverCpuMicros: medianOf(results, 'serverCpuMicros') };
    if (scenario.paths[0] === '/healthz') baseline = result.requestsPerSecond;
    const figure: HttpFigures = {
      ...result,
      ratioToBaseline: round(result.requestsPerSecond / Math.max(1, baseline), 3),
      pathsRequested: scenario.cursor.next,
    };
    if (results.length > 1) figure.runs = results.length;
    const reference = references.length > 0 ? median(references) : undefined;
    if (reference && referenceName) {
      referenceRuns.set(referenceName, [
        ...(referenceRuns.get(referenceName) ?? []),
        ...references,
      ]);
      figure.reference = referenceName;
      figure.referenceRequestsPerSecond = reference.requestsPerSecond;
      figure.referenceServerCpuMicros = medianOf(references, 'serverCpuMicros');
      figure.ratioToReference = round(
        result.requestsPerSecond / Math.max(1, reference.requestsPerSecond),
        3,
      );
    }
    figures.push(figure);
    return figure;
  };

  try {
    for (const mode of new Set(Object.values(referenceScenarios).map(([m]) => m))) {
      const reference = await startReference(mode, options.databaseUrl, options.redisUrl);
      referenceServers.set(mode, reference);
      // Unmeasured, as for the project's servers below: the JIT and the pool warm up.
      const first = Object.values(referenceScenarios).find(([m]) => m === mode)?.[1];
      await load(reference.port, token, first as Scenario, { ...options, durationSeconds: 1 });
    }

    // The in-memory cache: the Redis figures come from a server of their own below.
    const server = await startServer(options.databaseUrl, undefined, true);
    try {
      // Unmeasured: let the JIT compile the hot paths and the pool open its connections, so the
      // first scenario is not charged for warming the server up.
      for (const scenario of [scenarios[0], scenarios[1], scenarios[2]] as Scenario[]) {
        await load(server.port, token, scenario, { ...options, durationSeconds: 1 });
      }
      for (const scenario of scenarios) await measure(server, scenario);
    } finally {
      await server.stop();
    }

    const warmReads = ['balance by id, warm', 'user token, warm', 'user total, warm'].map(byName);
    if (options.redisUrl) {
      const redis = await startServer(options.databaseUrl, options.redisUrl, true);
      try {
        await load(redis.port, token, warmReads[0] as Scenario, { ...options, durationSeconds: 1 });
        for (const scenario of warmReads)
          await measure(redis, scenario, `${scenario.name} (Redis)`);
        const lists = await prepareHeaviestLists(options.databaseUrl, redis.port, token);
        const figure = await measure(redis, lists.scenario);
        figure.largestResponseBytes = lists.largestResponseBytes;
        // The same lists from the Redis reference, which keeps each as the text it sends: what
        // answers of that size cost this stack, beside the yardstick of 100 bytes.
        const reference = referenceServers.get('redis');
        if (reference) {
          const same = await prepareHeaviestLists(options.databaseUrl, reference.port, token);
          const result = await load(
            reference.port,
            token,
            { ...same.scenario, name: SAME_LISTS_REFERENCE },
            { ...options, serverPid: reference.pid },
          );
          figures.push({
            ...result,
            ratioToBaseline: round(result.requestsPerSecond / Math.max(1, baseline), 3),
          });
          figure.ratioToSameAnswers = round(
            figure.requestsPerSecond / Math.max(1, result.requestsPerSecond),
            3,
          );
        }
      } finally {
        await redis.stop();
        await flushPrefix(options.redisUrl, serverKeyPrefix(redis.port));
      }
    }
  } finally {
    for (const reference of referenceServers.values()) await reference.stop();
  }

  // Each reference's row: the median of its runs (beside every figure held to it).
  for (const runs of referenceRuns.values()) {
    const figure = median(runs);
    figures.push({
      ...figure,
      serverCpuMicros: medianOf(runs, 'serverCpuMicros'),
      runs: runs.length,
      ratioToBaseline: round(figure.requestsPerSecond / Math.max(1, baseline), 3),
    });
  }

  if (options.compareNamedStatements) {
    const unnamed = await startServer(options.databaseUrl, undefined, false);
    try {
      await load(unnamed.port, token, scenarios[2] as Scenario, { ...options, durationSeconds: 1 });
      const baseline = await load(unnamed.port, token, scenarios[0] as Scenario, options);
      const cold = await load(
        unnamed.port,
        token,
        { ...(scenarios[2] as Scenario), name: 'balance by id, cold, unnamed statements' },
        options,
      );
      figures.push({
        ...cold,
        ratioToBaseline: round(cold.requestsPerSecond / Math.max(1, baseline.requestsPerSecond), 3),
      });
    } finally {
      await unnamed.stop();
    }
  }
  return figures;
}

/** The cache key prefix of the server on `port`: its own keys in a shared Redis. */
const serverKeyPrefix = (port: number) => `bench-http-${port}:`;

/** The built server with every feature on; `extra` adds settings (replica-level.ts). */
export function startServer(
  databaseUrl: string,
  redisUrl: string | undefined,
  namedStatements: boolean,
  extra: NodeJS.ProcessEnv = {},
) {
  return startProcess(['server.js'], (port) => ({
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl ?? '',
    CACHE_KEY_PREFIX: serverKeyPrefix(port),
    AUTH_SECRET: SECRET,
    // Every feature on, the access log included (a line per request, as in production).
    LOG_LEVEL: 'info',
    NODE_ENV: 'production',
    SHUTDOWN_DRAIN_MS: '0',
    DATABASE_NAMED_STATEMENTS: namedStatements ? '1' : '0',
    ...extra,
  }));
}

/** A lean reference server (src/bench/lean-reference.ts) in one of its modes. */
export function startReference(
  mode: 'redis' | 'map' | 'database',
  databaseUrl: string,
  redisUrl?: string,
) {
  return startProcess(['bench/lean-reference.js', mode], () => ({
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl ?? '',
  }));
}
