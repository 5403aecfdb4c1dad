/**
 * The layout's rules that a refactor could quietly break: src/db/ (what the server runs) never
 * depends on src/dba/ (the DBA tools), and one file reads the SQL headers.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../src/db/database-server.js';

/** Every .ts file under src/, relative to src/, generated queries aside. */
const sources = readdirSync(join(projectRoot, 'src'), { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.ts') && !file.startsWith('queries/'))
  .sort();
const text = (file: string) => readFileSync(join(projectRoot, 'src', file), 'utf8');

describe('the source layout', () => {
  it('has src/db/ import nothing from src/dba/', () => {
    const dbFiles = sources.filter((file) => file.startsWith('db/'));
    expect(dbFiles.length).toBeGreaterThan(0);
    const offenders = dbFiles.filter((file) => /from '\.\.\/dba\//.test(text(file)));
    expect(offenders).toEqual([]);
  });

  it('keeps the DBA tools out of src/db/', () => {
    expect(sources.filter((file) => /^db\/(explain|doctor|seed)\b/.test(file))).toEqual([]);
  });

  it('reads SQL headers in src/dba/sql-files.ts alone', () => {
    // What a second header parser would have to look for: the @name block or a header field.
    const readers = sources.filter((file) => /@name|\b(Index|Plan|Cache):\\s/.test(text(file)));
    expect(readers).toEqual(['dba/sql-files.ts']);
  });
});
