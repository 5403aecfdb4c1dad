/**
 * The SQL files under sql/ and the DBA header each one carries: the one place in the project
 * that reads a header. `make explain`, `make doctor` and the tests all take the typed record
 * this module returns, so the header's grammar cannot drift between them.
 *
 * A header is the block comment just before the `/* @name *\/` block (pgTyped drops it):
 *
 *   /*
 *     Index: idx_balances_pkey (id)
 *     Plan:  Index Scan on idx_balances_pkey, at most one row.
 *     Cache: balance:<id>, 5 minutes.
 *     Anything after the three fields is a note for the reader.
 *   *\/
 *
 * A field may continue on lines indented deeper than its name. Each of the three fields appears
 * once; a line at the fields' indentation that is neither a field nor a note after them, or a
 * value in a shape this module does not know, is a `SqlHeaderError` naming the file and line.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../db/database-server.js';

/** What a query does with the cache, as its header's `Cache:` line says. */
export type CachePolicy =
  /** `Cache: none` or `Cache: none (why)`: the query neither reads nor changes cached values. */
  | { kind: 'none'; reason?: string }
  /** `Cache: invalidates <keys>`: a write; the keys are prose for the reader. */
  | { kind: 'invalidates'; keys: string }
  /** `Cache: <key>, <n> minutes`: a read cached under `key` (`balance:<id>`) for `ttlMs`. */
  | { kind: 'cached'; key: string; ttlMs: number };

/** The DBA header of one SQL file. */
export interface SqlHeader {
  /** The index the query must use, with its columns as the header lists them. */
  index: { name: string; columns: string[] };
  /** The plan the query must get, in words; `make explain` holds it to "no Sort node" and "Index Only Scan". */
  plan: string;
  cache: CachePolicy;
  /** Lines after the fields, for the reader; empty when there are none. */
  notes: string;
}

/** One file under sql/ with its parsed header. */
export interface SqlFile {
  /** Path relative to sql/, such as `balances/find_by_id.sql`. */
  path: string;
  text: string;
  header: SqlHeader;
}

/** A header this module cannot read; the message starts with `file:line:`. */
export class SqlHeaderError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    reason: string,
  ) {
    super(`${file}:${line}: ${reason}`);
    this.name = 'SqlHeaderError';
  }
}

/** Where the SQL files live. */
export const SQL_ROOT = join(projectRoot, 'sql');

const FIELDS = ['Index', 'Plan', 'Cache'] as const;
type Field = (typeof FIELDS)[number];

const UNIT_MS: Record<string, number> = { second: 1_000, minute: 60_000, hour: 3_600_000 };

/**
 * Every SQL file under `root`, in path order, each with its header.
 * @throws SqlHeaderError when a header cannot be read
 */
export function readSqlFiles(root = SQL_ROOT): SqlFile[] {
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.sql'))
    .sort()
    .map((path) => {
      const text = readFileSync(join(root, path), 'utf8');
      return { path, text, header: parseSqlHeader(text, `sql/${path}`) };
    });
}

/**
 * Reads the header of one SQL file's text; `file` names it in errors.
 * @throws SqlHeaderError naming the file and the line it cannot read
 */
export function parseSqlHeader(text: string, file: string): SqlHeader {
  const lineOf = (offset: number) => text.slice(0, offset).split('\n').length;
  const nameAt = text.indexOf('/* @name');
  if (nameAt === -1) throw new SqlHeaderError(file, 1, 'no /* @name */ block');
  const blocks = [...text.slice(0, nameAt).matchAll(/\/\*([\s\S]*?)\*\//g)];
  const block = blocks.at(-1);
  if (!block || block.index === undefined) {
    throw new SqlHeaderError(file, lineOf(nameAt), 'no header comment before the @name block');
  }
  const blockEnd = block.index + block[0].length;
  if (text.slice(blockEnd, nameAt).trim() !== '') {
    throw new SqlHeaderError(
      file,
      lineOf(blockEnd),
      'text between the header comment and the @name block',
    );
  }
  return readFields(file, lineOf(block.index), block[1] ?? '');
}

/** The lines of a header's comment (its first line is the one holding `/*`). */
function readFields(file: string, firstLine: number, body: string): SqlHeader {
  const values = new Map<Field, { line: number; parts: string[] }>();
  const notes: string[] = [];
  let fieldIndent: number | undefined;
  let current: string[] | undefined;
  body.split('\n').forEach((raw, i) => {
    const line = firstLine + i;
    const content = raw.trim();
    if (content === '') return;
    const indent = raw.length - raw.trimStart().length;
    const field = /^([A-Z][A-Za-z]*):\s*(.*)$/.exec(content);
    fieldIndent ??= indent;
    if (current && indent > fieldIndent) {
      current.push(content);
      return;
    }
    if (indent !== fieldIndent) {
      throw new SqlHeaderError(file, line, 'a line indented less than the header fields');
    }
    if (field && notes.length === 0) {
      const [, name = '', value = ''] = field;
      if (!isField(name)) {
        throw new SqlHeaderError(file, line, `unknown field "${name}:" (expected ${FIELDS})`);
      }
      if (values.has(name)) throw new SqlHeaderError(file, line, `a second "${name}:" line`);
      current = [value];
      values.set(name, { line, parts: current });
      return;
    }
    if (values.size < FIELDS.length) {
      throw new SqlHeaderError(file, line, `expected one of ${FIELDS} here, got "${content}"`);
    }
    current = notes;
    notes.push(content);
  });
  const field = (name: Field) => {
    const value = values.get(name);
    if (!value) throw new SqlHeaderError(file, firstLine, `the header has no "${name}:" line`);
    return { line: value.line, text: value.parts.join(' ').trim() };
  };
  return {
    index: readIndex(file, field('Index')),
    plan: readPlan(file, field('Plan')),
    cache: readCache(file, field('Cache')),
    notes: notes.join('\n'),
  };
}

function isField(name: string): name is Field {
  return (FIELDS as readonly string[]).includes(name);
}

function readIndex(file: string, { line, text }: { line: number; text: string }) {
  const match = /^(\w+)\s*\(([^()]+)\)\.?$/.exec(text);
  if (!match) {
    throw new SqlHeaderError(
      file,
      line,
      `cannot read "Index: ${text}": expected "idx_name (col, ...)"`,
    );
  }
  const [, name = '', columns = ''] = match;
  return { name, columns: columns.split(',').map((column) => column.trim()) };
}

function readPlan(file: string, { line, text }: { line: number; text: string }): string {
  if (text === '') throw new SqlHeaderError(file, line, 'the "Plan:" line is empty');
  return text;
}

function readCache(file: string, { line, text }: { line: number; text: string }): CachePolicy {
  const none = /^none(?:\s*\((.+)\))?\.?$/.exec(text);
  if (none) return none[1] === undefined ? { kind: 'none' } : { kind: 'none', reason: none[1] };
  const invalidates = /^invalidates\s+(.+?)\.?$/.exec(text);
  if (invalidates) return { kind: 'invalidates', keys: invalidates[1] ?? '' };
  const cached = /^(\S+),\s*(\d+)\s+(second|minute|hour)s?\.?$/.exec(text);
  if (cached) {
    const [, key = '', count = '', unit = ''] = cached;
    return { kind: 'cached', key, ttlMs: Number(count) * (UNIT_MS[unit] ?? Number.NaN) };
  }
  throw new SqlHeaderError(
    file,
    line,
    `cannot read "Cache: ${text}": expected "none", "invalidates <keys>" or "<key>, <n> minutes"`,
  );
}
