/**
 * The SQL header parser: the shapes every sql/ file uses read into a typed record, and a header
 * it cannot read is an error naming the file and the line.
 */
import { describe, expect, it } from 'vitest';
import { parseSqlHeader, readSqlFiles, SqlHeaderError } from '../src/dba/sql-files.js';

const QUERY = '/* @name BalanceFindById */\nSELECT id FROM balances WHERE id = :id!;\n';

/** A file whose header holds `lines`, each indented as the sql/ files indent them. */
const file = (...lines: string[]) => `/*\n${lines.map((l) => `  ${l}`).join('\n')}\n*/\n${QUERY}`;

/** The error parseSqlHeader throws for `text`, or a failure if it throws none. */
function errorOf(text: string): SqlHeaderError {
  try {
    parseSqlHeader(text, 'sql/x.sql');
  } catch (error) {
    if (error instanceof SqlHeaderError) return error;
    throw error;
  }
  throw new Error('expected a SqlHeaderError, got none');
}

describe('parseSqlHeader', () => {
  it('reads index, plan (over continuation lines), a cached read and notes', () => {
    const header = parseSqlHeader(
      file(
        'Index: idx_balances_user_created (user_id, created_at DESC, id DESC)',
        'Plan:  Index Scan on idx_balances_user_created, rows in index',
        '       order, no Sort node.',
        'Cache: balance:user:<userId>, 1 minute.',
        'A note for the reader.',
        'Its second line.',
      ),
      'sql/x.sql',
    );
    expect(header).toEqual({
      index: {
        name: 'idx_balances_user_created',
        columns: ['user_id', 'created_at DESC', 'id DESC'],
      },
      plan: 'Index Scan on idx_balances_user_created, rows in index order, no Sort node.',
      cache: { kind: 'cached', key: 'balance:user:<userId>', ttlMs: 60_000 },
      notes: 'A note for the reader.\nIts second line.',
    });
  });

  it('reads "none", "none (why)" and "invalidates ..." cache lines', () => {
    const cacheOf = (line: string) =>
      parseSqlHeader(file('Index: idx_a (a)', 'Plan:  Index Scan.', `Cache: ${line}`), 'sql/x.sql')
        .cache;
    expect(cacheOf('none.')).toEqual({ kind: 'none' });
    expect(cacheOf('none (pages vary).')).toEqual({ kind: 'none', reason: 'pages vary' });
    expect(cacheOf('invalidates balance:<id> and the owner’s keys.')).toEqual({
      kind: 'invalidates',
      keys: 'balance:<id> and the owner’s keys',
    });
    expect(cacheOf('balance:<id>, 90 seconds.')).toEqual({
      kind: 'cached',
      key: 'balance:<id>',
      ttlMs: 90_000,
    });
  });

  it('names the file and line of a Cache line it cannot read', () => {
    const error = errorOf(file('Index: idx_a (a)', 'Plan:  Index Scan.', 'Cache: for a while'));
    expect(error.message).toMatch(/^sql\/x\.sql:4: cannot read "Cache: for a while"/);
    expect(error.line).toBe(4);
  });

  it('names the line of an Index line with no columns', () => {
    expect(errorOf(file('Index: idx_a', 'Plan:  x.', 'Cache: none.')).message).toMatch(
      /^sql\/x\.sql:2: cannot read "Index: idx_a"/,
    );
  });

  it('refuses a missing field, an unknown one, a repeated one and text before the fields', () => {
    expect(errorOf(file('Index: idx_a (a)', 'Cache: none.')).message).toBe(
      'sql/x.sql:1: the header has no "Plan:" line',
    );
    expect(errorOf(file('Index: idx_a (a)', 'Plan:  x.', 'Cahce: none.')).message).toMatch(
      /^sql\/x\.sql:4: unknown field "Cahce:"/,
    );
    expect(errorOf(file('Index: idx_a (a)', 'Plan:  x.', 'Plan:  y.')).message).toMatch(
      /^sql\/x\.sql:4: a second "Plan:" line/,
    );
    expect(errorOf(file('Reads one balance.', 'Index: idx_a (a)')).message).toMatch(
      /^sql\/x\.sql:2: expected one of Index,Plan,Cache here/,
    );
  });

  it('refuses a file with no header comment, or none right before the @name block', () => {
    expect(errorOf(QUERY).message).toBe('sql/x.sql:1: no header comment before the @name block');
    expect(errorOf(`/* Index: idx_a (a) */\nSELECT 1;\n${QUERY}`).message).toMatch(
      /^sql\/x\.sql:1: text between the header comment and the @name block/,
    );
    expect(errorOf('SELECT 1;\n').message).toBe('sql/x.sql:1: no /* @name */ block');
  });

  it('reads the header of every file in sql/', () => {
    const files = readSqlFiles();
    expect(files.length).toBeGreaterThan(0);
    for (const { path, header } of files) expect(header.index.name, path).toMatch(/^idx_/);
  });
});
