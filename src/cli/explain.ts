/**
 * `make explain [REPORT=path]`: runs src/dba/explain.ts on DATABASE_URL or the embedded
 * PostgreSQL, prints a table, writes a Markdown report (default .data/explain-report.md), and
 * exits 1 naming every query that breaks its header's promise.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { openDatabaseServer, projectRoot } from '../db/database-server.js';
import { createPool } from '../db/pool.js';
import { type ExplainResult, explainQueries, type QueryReport } from '../dba/explain.js';
import { runCli } from './run-cli.js';

const COLUMNS = [
  'query',
  'declared index',
  'plan (analyzed run)',
  'est. rows',
  'rows',
  'ms',
  'buffers hit/read',
  'verdict',
];

runCli(async (args) => {
  const at = args.indexOf('--report');
  const reportPath =
    at === -1 ? join(projectRoot, '.data', 'explain-report.md') : (args[at + 1] ?? '');
  const server = await openDatabaseServer();
  const pool = createPool(server.url, { max: 1, statementTimeoutMillis: 60_000 });
  try {
    const result = await explainQueries(pool);
    const rows = result.reports.map(tableRow);
    console.log(`PostgreSQL ${result.serverVersion}, ${result.balanceRows} rows in balances\n`);
    console.log(textTable([COLUMNS, ...rows]));
    mkdirSync(dirname(reportPath), { recursive: true });
    writeFileSync(reportPath, markdownReport(result, rows));
    console.log(`\nreport: ${reportPath}`);
    const failed = result.reports.filter((report) => report.violations.length > 0);
    if (result.balanceRows < 10_000) {
      console.log(
        'note: with few rows the planner may rightly prefer sequential scans; run make seed first',
      );
    }
    if (failed.length > 0) {
      const lines = failed.flatMap((r) =>
        r.violations.map((v) => `  ${r.query} (${r.file}): ${v}`),
      );
      throw new Error(
        `${failed.length} of ${result.reports.length} queries break their header:\n${lines.join('\n')}`,
      );
    }
    console.log(`all ${result.reports.length} queries use their declared index`);
  } finally {
    await pool.end();
    await server.stop();
  }
});

function tableRow(report: QueryReport): string[] {
  const { analyzed } = report;
  return [
    report.query,
    report.declaredIndex,
    analyzed.scans.join(', ') || '(insert: enforced by the unique index)',
    String(analyzed.estimatedRows),
    String(analyzed.actualRows ?? ''),
    analyzed.ms === undefined ? '' : analyzed.ms.toFixed(3),
    `${analyzed.sharedHit ?? 0}/${analyzed.sharedRead ?? 0}`,
    report.violations.length === 0 ? 'ok' : 'FAIL',
  ];
}

function textTable(rows: string[][]): string {
  const widths =
    rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length))) ?? [];
  return rows
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function markdownReport(result: ExplainResult, rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map((c) => c.replaceAll('|', '\\|')).join(' | ')} |`;
  const failures = result.reports.flatMap((r) =>
    r.violations.map((v) => `- **${r.query}** (\`sql/${r.file}\`): ${v}`),
  );
  return [
    '# Query plans',
    '',
    `PostgreSQL ${result.serverVersion}; ${result.balanceRows} rows in \`balances\`; generated ${new Date().toISOString()}.`,
    'Every query was planned generically (as a prepared statement) and run once with EXPLAIN',
    '(ANALYZE, BUFFERS) inside a rolled-back transaction. No scan type was disabled.',
    '',
    line(COLUMNS),
    line(COLUMNS.map(() => '---')),
    ...rows.map(line),
    '',
    '## Generic plans',
    '',
    ...result.reports.map(
      (r) => `- **${r.query}**: ${r.generic.scans.join(', ') || 'no index scan (insert)'}`,
    ),
    '',
    failures.length ? '## Violations\n' : '## Violations\n\nNone.',
    ...failures,
    '',
  ].join('\n');
}
