/**
 * `make bench`: service-level and HTTP-level figures, pagination and scaling, on a seeded
 * database of its own (dropped after). Writes JSON, a Markdown summary and an SVG chart to
 * bench/results/ (or --out), and prints the summary with the change from the previous run.
 *
 *   node dist/cli/bench.js [--rows N] [--duration S] [--connections N] [--samples N]
 *                          [--out DIR] [--quick]
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@redis/client';
import { benchHttp } from '../bench/http-level.js';
import { benchPagination } from '../bench/pagination.js';
import { benchQueries, coldRows, sampleRows } from '../bench/query-level.js';
import { benchReplica } from '../bench/replica-level.js';
import {
  type BenchResults,
  evaluateTargets,
  markdownSummary,
  type ScalingFigures,
  svgChart,
} from '../bench/report.js';
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
    connections: option('--connections', quick ? 4 : 10),
    samples: option('--samples', quick ? 100 : 2_000),
    quick,
  };
  const at = args.indexOf('--out');
  const outDir = at === -1 ? join(projectRoot, 'bench', 'results') : (args[at + 1] ?? '');
  const scalingSizes = (quick ? [1_000, knobs.rows] : [10_000, 100_000, knobs.rows]).filter(
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
      log(`service calls on ${rows} rows`);
      const sample = await sampleRows(pool, knobs.samples);
      const figures = await benchQueries({ pool, cache: 'memory', rows: sample });
      const byId = figures.find((f) => f.query === 'findById');
      if (byId) scaling.push({ rows, coldP50: byId.cold.p50, warmP50: byId.warm.p50 });
    }

    const sample = await sampleRows(pool, knobs.samples);
    log('service calls, Redis cache');
    const queries = [
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
    const pagination = await benchPagination(
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
    const http = await benchHttp({
      databaseUrl: database.url,
      redisUrl,
      rows: sample,
      coldRows: await coldRows(pool, quick ? 1_000 : 200_000),
      funded,
      durationSeconds: knobs.durationSeconds,
      connections: knobs.connections,
      compareNamedStatements: true,
    });
    for (const figure of http.filter((f) => f.name.includes('cold'))) {
      if (figure.requests > figure.distinctPaths) {
        notes.push(
          `${figure.name}: ${figure.requests} requests over ${figure.distinctPaths} keys, so some reads were hits: a floor of the cold cost, not the cold cost.`,
        );
      }
    }
    // Its cold reads are misses by TTL (values live a second), not by never-read keys.
    const replica = await benchReplica({ ...knobs, log });
    http.push(...replica.figures);
    notes.push(...replica.notes);
    if (http.some((f) => f.generatorCores >= 0.85)) {
      notes.push(
        'autocannon used most of a core during some runs (see generatorCores in the JSON): on 2 cores the load generator competes with the server, so those requests/s are a floor.',
      );
    }

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
