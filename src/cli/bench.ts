/**
 * `make bench`: service-level and HTTP-level figures, pagination and scaling, on a seeded
 * database of its own (dropped after). Writes JSON, a Markdown summary and an SVG chart to
 * bench/results/ (or --out), and prints the summary with the change from the previous run.
 *
 *   node dist/cli/bench.js [--rows N] [--duration S] [--connections N] [--samples N]
 *                          [--out DIR] [--quick] [--only scale]
 *
 * `--only scale` runs just the scale-out scenarios (src/bench/scale-out.ts) on one seeding of
 * --rows, and writes to .data/bench-scale unless --out, so bench/results keeps the full run.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@redis/client';
import { benchHttp } from '../bench/http-level.js';
import { benchPagination } from '../bench/pagination.js';
import { benchQueries, coldBalanceIds, coldRows, sampleRows } from '../bench/query-level.js';
import { benchReplica } from '../bench/replica-level.js';
import {
  type BenchResults,
  evaluateTargets,
  markdownSummary,
  type ScalingFigures,
  svgChart,
} from '../bench/report.js';
import { benchScaleOut } from '../bench/scale-out.js';
import { createCacheStore } from '../cache/create-cache-store.js';
import { ReadThroughCache } from '../cache/read-through-cache.js';
import { openDatabaseServer, projectRoot } from '../db/database-server.js';
import { migrate } from '../db/migrations.js';
import { createPool } from '../db/pool.js';
import { createScratchDatabase } from '../db/scratch-database.js';
import { seed } from '../dba/seed.js';
import { silentLogger } from '../logger.js';
import { createMetrics } from '../metrics.js';
import { BalanceService } from '../service/balance-service.js';
import { progressReporter } from './progress.js';
import { runCli } from './run-cli.js';

runCli(async (args) => {
  const quick = args.includes('--quick');
  const option = (name: string, fallback: number) => {
    const at = args.indexOf(name);
    const value = at === -1 ? fallback : Number(args[at + 1]);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
    return value;
  };
  const knobs = {
    rows: option('--rows', quick ? 5_000 : 1_000_000),
    durationSeconds: option('--duration', quick ? 1 : 5),
    connections: option('--connections', quick ? 4 : 32),
    samples: option('--samples', quick ? 100 : 2_000),
    quick,
  };
  const onlyAt = args.indexOf('--only');
  const only = onlyAt === -1 ? undefined : args[onlyAt + 1];
  if (only !== undefined && only !== 'scale') throw new Error('--only takes: scale');
  const at = args.indexOf('--out');
  const otherwise = only ? join('.data', `bench-${only}`) : join('bench', 'results');
  const outDir = at === -1 ? join(projectRoot, otherwise) : (args[at + 1] ?? '');
  const everySize = quick ? [1_000, knobs.rows] : [10_000, 100_000, knobs.rows];
  const scalingSizes = (only ? [knobs.rows] : everySize).filter(
    (size, i, all) => size <= knobs.rows && all.indexOf(size) === i,
  );

  const server = await openDatabaseServer();
  const database = await createScratchDatabase(server.url, 'bench');
  const pool = createPool(database.url, { max: 10, statementTimeoutMillis: 10 * 60_000 });
  const redisUrl = await reachableRedis(process.env.REDIS_URL || 'redis://127.0.0.1:6379');
  const notes: string[] = [];
  if (!redisUrl) notes.push('no Redis reachable: Redis figures were skipped');
  try {
    await migrate(database.url, 'up');
    const log = (line: string) => console.error(`bench: ${line}`);

    const scaling: ScalingFigures[] = [];
    for (const rows of scalingSizes) {
      log(`seeding ${rows} rows`);
      await seed(pool, { rows, replace: true, onProgress: progressReporter(`seeding ${rows}`) });
      if (only) continue;
      log(`service calls on ${rows} rows`);
      const sample = await sampleRows(pool, knobs.samples);
      const figures = await benchQueries({ pool, cache: 'memory', rows: sample });
      const byId = figures.find((f) => f.query === 'findById');
      if (byId) scaling.push({ rows, coldP50: byId.cold.p50, warmP50: byId.warm.p50 });
    }

    const sample = await sampleRows(pool, knobs.samples);
    log('service calls, Redis cache');
    const queries = only
      ? []
      : [
          ...(await benchQueries({ pool, cache: 'memory', rows: sample })),
          ...(redisUrl ? await benchQueries({ pool, cache: 'redis', redisUrl, rows: sample }) : []),
        ];

    log('pagination');
    const metrics = createMetrics();
    const cache = new ReadThroughCache({
      store: createCacheStore(),
      metrics,
      logger: silentLogger,
      maxValueTtlMs: 1,
    });
    const pagination = only
      ? []
      : await benchPagination(
          pool,
          new BalanceService({ pool, cache, metrics, logger: silentLogger }),
          knobs.rows,
        );
    await cache.close();

    log('HTTP (autocannon)');
    const funded = sample.slice(0, 200).map((row) => row.id);
    await pool.query('UPDATE balances SET amount = amount + 1000000 WHERE id = ANY($1)', [funded]);
    await pool.query(
      `INSERT INTO balance_entries (balance_id, kind, amount, balance_after)
       SELECT id, 'adjustment', 1000000, amount FROM balances WHERE id = ANY($1)`,
      [funded],
    );
    const http = only
      ? []
      : await benchHttp({
          databaseUrl: database.url,
          redisUrl,
          rows: sample,
          coldRows: await coldRows(pool, quick ? 1_000 : 200_000),
          coldBalanceIds: await coldBalanceIds(pool, quick ? 1_000 : 400_000),
          funded,
          durationSeconds: knobs.durationSeconds,
          connections: knobs.connections,
          compareNamedStatements: true,
          rounds: quick ? 1 : 3,
        });
    for (const figure of http.filter((f) => f.name.includes('cold'))) {
      const sent = figure.pathsRequested ?? figure.requests;
      if (sent > figure.distinctPaths) {
        notes.push(
          `${figure.name}: ${sent} requests (its runs and warm-ups together) over ${figure.distinctPaths} keys, so some reads were hits: a floor of the cold cost, not the cold cost.`,
        );
      }
    }
    // Its cold reads are misses by TTL (values live a second), not by never-read keys.
    const replica = only ? { figures: [], notes: [] } : await benchReplica({ ...knobs, log });
    http.push(...replica.figures);
    notes.push(...replica.notes);
    if (http.some((f) => f.generatorCores >= 0.85)) {
      notes.push(
        'autocannon used most of a core during some runs (see generatorCores in the JSON): on 2 cores the load generator competes with the server, so those requests/s are a floor.',
      );
    }

    log('scale-out (src/bench/scale-out.ts): WORKERS=1, WORKERS=2, Redis Cluster');
    const scaleOut = redisUrl
      ? await benchScaleOut({
          ...knobs,
          pool,
          databaseUrl: database.url,
          redisUrl,
          rows: sample,
          http,
          notes,
        })
      : [];

    const { rows: settings } = await pool.query<{ name: string; setting: string }>(
      `SELECT name, setting FROM pg_settings
       WHERE name IN ('server_version', 'shared_buffers', 'work_mem', 'max_connections', 'synchronous_commit')`,
    );
    const partial = {
      startedAt: new Date().toISOString(),
      machine: {
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? 'unknown',
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        node: process.versions.node,
        platform: `${process.platform}-${process.arch}`,
      },
      postgres: {
        ...Object.fromEntries(settings.map((s) => [s.name, s.setting])),
        version: settings.find((s) => s.name === 'server_version')?.setting ?? '?',
        embedded: String(server.embedded),
      },
      knobs,
      queries,
      http,
      scaleOut,
      pagination,
      scaling,
      notes,
    };
    const results: BenchResults = { ...partial, targets: evaluateTargets(partial) };

    mkdirSync(outDir, { recursive: true });
    const latestPath = join(outDir, 'latest.json');
    const previous = existsSync(latestPath)
      ? (JSON.parse(readFileSync(latestPath, 'utf8')) as BenchResults)
      : undefined;
    const summary = markdownSummary(results, previous);
    const stamp = results.startedAt.replaceAll(':', '-');
    writeFileSync(join(outDir, `${stamp}.json`), `${JSON.stringify(results, null, 2)}\n`);
    writeFileSync(latestPath, `${JSON.stringify(results, null, 2)}\n`);
    writeFileSync(join(outDir, 'latest.md'), summary);
    writeFileSync(join(outDir, 'latest.svg'), svgChart(results));
    console.log(summary);
    console.log(`results: ${outDir}/latest.{json,md,svg}`);
  } finally {
    await pool.end();
    await database.drop();
    await server.stop();
  }
});

async function reachableRedis(url: string): Promise<string | undefined> {
  const client = createClient({ url, socket: { connectTimeout: 1_000, reconnectStrategy: false } });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.ping();
    return url;
  } catch {
    return undefined;
  } finally {
    await client.close().catch(() => {});
  }
}
