/**
 * `make gen` fails on a broken query instead of keeping a stale file (pgtyped issue #574).
 * Runs pgTyped for real on a copy of the setup with one good and one broken SQL file.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { CodegenError, generateQueries } from '../src/db/codegen.js';
import { projectRoot } from '../src/db/database-server.js';

const GOOD = `/*
  Index: idx_balances_pkey (id)
*/
/* @name BalanceGood */
SELECT id, amount FROM balances WHERE id = :id!;
`;
const BROKEN = GOOD.replace('BalanceGood', 'BalanceBroken').replace('amount', 'amount_typo');

describe('generateQueries', () => {
  const dir = mkdtempSync(join(tmpdir(), 'codegen-'));
  mkdirSync(join(dir, 'sql', 'balances'), { recursive: true });
  writeFileSync(
    join(dir, 'pgtyped.config.json'),
    readFileSync(join(projectRoot, 'pgtyped.config.json')),
  );
  writeFileSync(join(dir, 'sql', 'balances', 'good.sql'), GOOD);
  const generated = (name: string) => join(dir, 'src', 'queries', 'balances', `${name}.queries.ts`);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a typed twin for each query', async () => {
    await generateQueries({ serverUrl: inject('serverUrl'), cwd: dir });
    expect(readFileSync(generated('good'), 'utf8')).toContain('export const balanceGood');
  });

  it('fails, naming the error, when a query is broken, and leaves no stale twin', async () => {
    writeFileSync(join(dir, 'sql', 'balances', 'broken.sql'), BROKEN);
    const failure = generateQueries({ serverUrl: inject('serverUrl'), cwd: dir });
    await expect(failure).rejects.toThrow(CodegenError);
    await expect(failure).rejects.toThrow(
      /BalanceBroken[\s\S]*amount_typo|amount_typo[\s\S]*BalanceBroken/,
    );
    expect(existsSync(generated('broken'))).toBe(false);
  });
});
