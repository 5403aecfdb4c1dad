/**
 * `make check-consistency [DURATION_S=60]`: runs src/check/run-check.ts and exits 1 on any
 * anomaly. `--quick` is CI's version.
 *
 *   node dist/cli/check-consistency.js [--seconds N] [--quick] [--no-faults] [--workers N]
 *     [--redis single|cluster] [--pg direct|pgbouncer|replica]
 */
import { CHECK_POSTGRES_KINDS, type CheckPostgresKind } from '../check/check-postgres.js';
import { runCheck } from '../check/run-check.js';
import { runCli } from './run-cli.js';

runCli(async (args) => {
  const at = args.indexOf('--seconds');
  const seconds = at === -1 ? (args.includes('--quick') ? 30 : 60) : Number(args[at + 1]);
  if (!(seconds > 0)) throw new Error('--seconds must be positive');
  const workersAt = args.indexOf('--workers');
  const workers = workersAt === -1 ? 1 : Number(args[workersAt + 1]);
  if (!(Number.isInteger(workers) && workers > 0)) throw new Error('--workers must be a count');
  const redisAt = args.indexOf('--redis');
  const redis = redisAt === -1 ? 'single' : args[redisAt + 1];
  if (redis !== 'single' && redis !== 'cluster')
    throw new Error('--redis must be single or cluster');
  const pgAt = args.indexOf('--pg');
  const postgres = (pgAt === -1 ? 'direct' : args[pgAt + 1]) as CheckPostgresKind;
  if (!CHECK_POSTGRES_KINDS.includes(postgres))
    throw new Error(`--pg (CHECK_PG) must be one of ${CHECK_POSTGRES_KINDS.join('|')}`);
  const report = await runCheck({
    durationMs: seconds * 1000,
    processes: 3,
    clients: 12,
    balances: 5,
    faults: !args.includes('--no-faults'),
    workers,
    redis,
    postgres,
    log: (line) => console.error(`check: ${line}`),
  });
  console.log(`operations       ${report.operations}`);
  console.log(
    `acknowledged     ${report.acknowledgedWrites} writes (${report.acknowledgedTransfers} transfers)`,
  );
  console.log(
    `in doubt         ${report.inDoubt} writes (timed out, cut off or answered outcome-unknown; each may count at most once)`,
  );
  console.log(`refused/failed   ${JSON.stringify(report.refused)}`);
  console.log(`API processes    ${report.processes} (Redis: ${redis}, PostgreSQL: ${postgres})`);
  if (report.transactionsThroughPgBouncer !== undefined)
    console.log(`PgBouncer        ${report.transactionsThroughPgBouncer} transactions relayed`);
  const share = report.replicaShare;
  if (share) {
    const total = share.replica + share.primary;
    const percent = total === 0 ? 0 : Math.round((1000 * share.replica) / total) / 10;
    console.log(
      `replica reads    ${share.replica} of ${total} database reads (${percent}%) by the processes alive at the end; to the primary instead: ${JSON.stringify(share.fallbacks)}`,
    );
  }
  console.log(`faults injected  ${report.faults.length ? report.faults.join('; ') : 'none'}`);
  console.log(`anomalies        ${report.anomalies.length}`);
  for (const anomaly of report.anomalies.slice(0, 20))
    console.log(`  [${anomaly.check}] ${anomaly.detail}`);
  if (report.anomalies.length > 0) throw new Error(`${report.anomalies.length} anomalies`);
});
