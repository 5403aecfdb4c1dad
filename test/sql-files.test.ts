/**
 * The contract between sql/ and the rest: one query per file, named for its file, a DBA header
 * that names an index the migrated schema really has, and a committed generated twin.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { parseSQLFile as parseSql } from '@pgtyped/parser';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { projectRoot } from '../src/db/database-server.js';
import { parseSqlHeader, SQL_ROOT } from '../src/dba/sql-files.js';

const sqlFiles = readdirSync(SQL_ROOT, { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.sql'))
  .sort();

/** `balances/find_by_id.sql` must hold `BalanceFindById`: entity (singular table), then file. */
function expectedQueryName(file: string): string {
  const table = basename(dirname(file));
  const entity = table.replace(/ies$/, 'y').replace(/s$/, '');
  return pascalCase(entity) + pascalCase(basename(file, '.sql'));
}

function pascalCase(snake: string): string {
  return snake
    .split('_')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');
}

describe('sql/ files', () => {
  let client: pg.Client;
  let schemaIndexes: Set<string>;

  beforeAll(async () => {
    client = new pg.Client({ connectionString: inject('databaseUrl') });
    await client.connect();
    const { rows } = await client.query<{ indexname: string }>(
      `SELECT indexname FROM pg_indexes WHERE schemaname = 'public'`,
    );
    schemaIndexes = new Set(rows.map((row) => row.indexname));
  });

  afterAll(async () => {
    await client?.end();
  });

  it('exist', () => {
    expect(sqlFiles.length).toBeGreaterThan(0);
  });

  describe.each(sqlFiles)('%s', (file) => {
    const text = readFileSync(join(SQL_ROOT, file), 'utf8');

    it('holds exactly one query, named for its file, that pgTyped parses cleanly', () => {
      const { queries, events } = parseSql(text);
      expect(events).toEqual([]);
      expect(queries.map((query) => query.name)).toEqual([expectedQueryName(file)]);
    });

    it('has a header naming an index of the migrated schema, the plan and the cache', () => {
      // parseSqlHeader throws, naming the file and line, when a field is missing or unreadable:
      // the Plan and Cache lines are checked by reading them.
      const header = parseSqlHeader(text, `sql/${file}`);
      expect(
        schemaIndexes.has(header.index.name),
        `${header.index.name} is not in the schema`,
      ).toBe(true);
    });

    it('has a generated twin in src/queries/', () => {
      const twin = join(projectRoot, 'src', 'queries', file.replace(/\.sql$/, '.queries.ts'));
      expect(existsSync(twin), relative(projectRoot, twin)).toBe(true);
    });
  });
});
