/**
 * `make explain`: proof, for every SQL file, that its query uses the index its header declares.
 *
 * Each query is planned twice: the generic plan a prepared statement reuses (EXPLAIN
 * (GENERIC_PLAN) on PostgreSQL 16+; PREPARE with plan_cache_mode = force_generic_plan and
 * EXPLAIN EXECUTE on 15), and an EXPLAIN (ANALYZE, BUFFERS) run with parameters sampled from
 * the data, inside a transaction that is rolled back. Both must use the declared index, never
 * scan `balances` sequentially, and keep the promises the header's Plan line makes ("no Sort
 * node", "Index Only Scan"). No scan type is ever disabled.
 */
import { basename } from 'node:path';
import { parseSQLFile, queryASTToIR } from '@pgtyped/parser';
import { processSQLQueryIR } from '@pgtyped/runtime';
import type pg from 'pg';
import { readSqlFiles, type SqlFile } from './sql-files.js';

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Relation Name'?: string;
  'Conflict Arbiter Indexes'?: string[];
  'Plan Rows'?: number;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Shared Hit Blocks'?: number;
  'Shared Read Blocks'?: number;
  Plans?: PlanNode[];
}

export interface PlanSummary {
  /** Index scans as "Node Type on index", in plan order. */
  scans: string[];
  estimatedRows: number;
  actualRows?: number;
  ms?: number;
  sharedHit?: number;
  sharedRead?: number;
}

export interface QueryReport {
  file: string;
  query: string;
  declaredIndex: string;
  generic: PlanSummary;
  analyzed: PlanSummary;
  /** Empty when the query keeps every promise. */
  violations: string[];
}

export interface ExplainResult {
  serverVersion: string;
  balanceRows: number;
  reports: QueryReport[];
}

const SCAN_TYPES = new Set(['Index Scan', 'Index Only Scan', 'Bitmap Index Scan']);

/**
 * Where the shared samples would not do: a create needs a new token; a transfer's entries are
 * looked up by a transfer id (credits and debits outside a transfer carry NULL).
 */
const SAMPLE_OVERRIDES: Record<string, Record<string, unknown>> = {
  'balances/create.sql': { tokenId: '9223372036854775807' },
  'cache_invalidations/record.sql': {
    keyPrefix: '',
    // Array parameters as PostgreSQL array literals: the generic plan inlines them as text.
    generationKeys: '{balance:gen:1}',
    valueKeys: '{balance:1}',
  },
  'cache_invalidations/list_by_prefix.sql': { keyPrefix: '' },
  'cache_invalidations/delete_by_ids.sql': { ids: '{1,2}' },
  'balance_entries/list_by_transfer.sql': { transferId: '1' },
};

/**
 * Explains every file against the database behind `pool` (which should hold seeded data, so the
 * planner's choices are real).
 *
 * @throws SqlHeaderError when a header cannot be read (reading the files)
 * @throws Error when a file has no query, or a parameter with no sample
 */
export async function explainQueries(
  pool: pg.Pool,
  files = readSqlFiles(),
): Promise<ExplainResult> {
  const client = await pool.connect();
  try {
    const version = Number(
      (await client.query('SHOW server_version_num')).rows[0].server_version_num,
    );
    const samples = await sampleParameters(client);
    const reports: QueryReport[] = [];
    for (const file of files) reports.push(await explainFile(client, file, samples, version));
    const { rows } = await client.query<{ count: string }>(
      'SELECT count(*) AS count FROM balances',
    );
    return {
      serverVersion: (await client.query('SHOW server_version')).rows[0].server_version,
      balanceRows: Number(rows[0]?.count ?? 0),
      reports,
    };
  } finally {
    client.release();
  }
}

async function explainFile(
  client: pg.PoolClient,
  file: SqlFile,
  samples: Record<string, unknown>,
  version: number,
): Promise<QueryReport> {
  const { queries, events } = parseSQLFile(file.text);
  const ast = queries[0];
  if (!ast || events.length > 0) throw new Error(`${file.path}: pgTyped cannot parse it`);
  const declaredIndex = file.header.index.name;
  const promises = file.header.plan;

  const fileSamples = { ...samples, ...SAMPLE_OVERRIDES[file.path] };
  const params: Record<string, unknown> = {};
  for (const param of ast.params) {
    if (!(param.name in fileSamples))
      throw new Error(`${file.path}: no sample value for :${param.name}`);
    params[param.name] = fileSamples[param.name];
  }
  const { query, bindings } = processSQLQueryIR(queryASTToIR(ast), params as never);

  const generic = await genericPlan(client, query, bindings, version);
  await client.query('BEGIN');
  let analyzed: PlanNode;
  try {
    const { rows } = await client.query(
      `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${query}`,
      bindings,
    );
    analyzed = rows[0]['QUERY PLAN'][0].Plan;
    (analyzed as PlanNode & { time?: number }).time = rows[0]['QUERY PLAN'][0]['Execution Time'];
  } finally {
    await client.query('ROLLBACK');
  }

  const violations = [
    ...check('generic plan', generic, declaredIndex, promises),
    ...check('analyzed run', analyzed, declaredIndex, promises),
  ];
  return {
    file: file.path,
    query: ast.name,
    declaredIndex,
    generic: summarize(generic),
    analyzed: summarize(analyzed),
    violations,
  };
}

async function genericPlan(
  client: pg.PoolClient,
  query: string,
  bindings: unknown[],
  version: number,
): Promise<PlanNode> {
  if (version >= 160000) {
    const { rows } = await client.query(`EXPLAIN (GENERIC_PLAN, FORMAT JSON) ${query}`);
    return rows[0]['QUERY PLAN'][0].Plan;
  }
  // PostgreSQL 15 has no GENERIC_PLAN: force the plan a prepared statement would reuse. All in
  // one transaction, which keeps one server session behind a transaction-mode pooler (PgBouncer)
  // where the PREPARE, the setting and the EXECUTE would otherwise land on different ones; the
  // setting is SET LOCAL, and the statement is deallocated before COMMIT (PREPARE outlives it).
  await client.query('BEGIN; SET LOCAL plan_cache_mode = force_generic_plan');
  try {
    await client.query(`PREPARE explain_generic AS ${query}`);
    let plan: PlanNode | undefined;
    let failure: unknown;
    await client.query('SAVEPOINT explain_generic');
    try {
      const literals = bindings.map((value) => literal(client, value)).join(', ');
      const execute = bindings.length
        ? `EXECUTE explain_generic(${literals})`
        : 'EXECUTE explain_generic';
      const { rows } = await client.query(`EXPLAIN (FORMAT JSON) ${execute}`);
      plan = rows[0]['QUERY PLAN'][0].Plan;
    } catch (error) {
      failure = error;
      await client.query('ROLLBACK TO SAVEPOINT explain_generic');
    }
    await client.query('DEALLOCATE explain_generic');
    await client.query('COMMIT');
    if (!plan) throw failure;
    return plan;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}

function literal(client: pg.PoolClient, value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (value instanceof Date) return client.escapeLiteral(value.toISOString());
  if (typeof value === 'object') return client.escapeLiteral(JSON.stringify(value));
  return client.escapeLiteral(String(value));
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

function check(which: string, plan: PlanNode, index: string, promises: string): string[] {
  const all = nodes(plan);
  const problems: string[] = [];
  const scans = all.filter(
    (node) => SCAN_TYPES.has(node['Node Type']) && node['Index Name'] === index,
  );
  const arbiter = all.some((node) => node['Conflict Arbiter Indexes']?.includes(index));
  // A plain INSERT reads no index: its declared index is the unique one it must satisfy.
  const insertOnly = all.every(
    (node) => !SCAN_TYPES.has(node['Node Type']) && node['Node Type'] !== 'Seq Scan',
  );
  if (scans.length === 0 && !arbiter && !insertOnly) {
    problems.push(`${which}: does not use ${index} (uses ${describeScans(all) || 'no index'})`);
  }
  const seqScan = all.find(
    (node) => node['Node Type'] === 'Seq Scan' && node['Relation Name'] === 'balances',
  );
  if (seqScan) problems.push(`${which}: sequential scan on balances`);
  if (/no Sort/i.test(promises) && all.some((node) => node['Node Type'] === 'Sort')) {
    problems.push(`${which}: has a Sort node, but the header promises index order`);
  }
  if (
    /Index Only Scan/.test(promises) &&
    !scans.some((node) => node['Node Type'] === 'Index Only Scan')
  ) {
    problems.push(`${which}: is not an Index Only Scan on ${index}`);
  }
  return problems;
}

function describeScans(all: PlanNode[]): string {
  return all
    .filter((node) => SCAN_TYPES.has(node['Node Type']) || node['Node Type'] === 'Seq Scan')
    .map((node) => `${node['Node Type']} on ${node['Index Name'] ?? node['Relation Name']}`)
    .join(', ');
}

function summarize(plan: PlanNode & { time?: number }): PlanSummary {
  const all = nodes(plan);
  return {
    scans: all
      .filter((node) => SCAN_TYPES.has(node['Node Type']))
      .map((node) => `${node['Node Type']} on ${node['Index Name']}`),
    estimatedRows: plan['Plan Rows'] ?? 0,
    actualRows:
      plan['Actual Rows'] === undefined
        ? undefined
        : plan['Actual Rows'] * (plan['Actual Loops'] ?? 1),
    ms: plan.time,
    sharedHit: plan['Shared Hit Blocks'],
    sharedRead: plan['Shared Read Blocks'],
  };
}

/**
 * One value for every parameter name the SQL files use, taken from a row in the middle of the
 * data so the analyzed runs touch real rows. Writes run inside a rolled-back transaction.
 */
async function sampleParameters(client: pg.PoolClient): Promise<Record<string, unknown>> {
  const { rows } = await client.query(`
    SELECT id, user_id, token_id, address, created_at
    FROM balances
    WHERE address IS NOT NULL
    ORDER BY id
    OFFSET (SELECT count(*) / 2 FROM balances WHERE address IS NOT NULL)
    LIMIT 1`);
  // A second balance, for the transfer statements, which name two.
  const { rows: others } = await client.query(
    'SELECT id FROM balances WHERE id <> $1 ORDER BY id LIMIT 1',
    [rows[0]?.id ?? '1'],
  );
  const row = rows[0] ?? {
    id: '1',
    user_id: '1',
    token_id: '1',
    address: '0x0',
    created_at: new Date(),
  };
  return {
    id: row.id,
    balanceId: row.id,
    fromId: row.id,
    toId: others[0]?.id ?? '2',
    transferId: null,
    subject: 'explain',
    userId: row.user_id,
    tokenId: row.token_id,
    address: row.address,
    createdAt: row.created_at,
    limit: 20,
    offset: 0,
    beforeId: null,
    afterId: row.id,
    // The token-order pages resume after a token of the sampled user: a real position.
    afterTokenId: row.token_id,
    amount: '0.000000000000000001',
    usdValue: '1',
    autoConvertThreshold: null,
    setAddress: false,
    setAutoConvertThreshold: false,
    expectedVersion: null,
    key: `explain-${basename(String(row.id))}`,
    requestFingerprint: 'explain',
    response: {},
    createdBefore: new Date(Date.now() - 24 * 60 * 60_000),
    batchSize: 1000,
  };
}
