/**
 * One table of TTLs (src/service/cache-ttls.ts): every SQL header's `Cache:` line, the README
 * and the environment overrides agree with it, so a header or a README line that lies fails CI.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cacheConfigFromEnv } from '../src/config.js';
import { projectRoot } from '../src/db/database-server.js';
import { readSqlFiles } from '../src/dba/sql-files.js';
import { CACHE_TTL_TABLE, DEFAULT_CACHE_TTLS, describeTtl } from '../src/service/cache-ttls.js';

const cachedReads = readSqlFiles().flatMap(({ path, header }) =>
  header.cache.kind === 'cached'
    ? [{ path, key: header.cache.key, ttlMs: header.cache.ttlMs }]
    : [],
);

describe('the TTL table', () => {
  it.each(cachedReads.map(({ path, key, ttlMs }) => [path, key, ttlMs] as const))(
    'matches the Cache line of sql/%s (%s)',
    (_path, key, ttlMs) => {
      const entry = CACHE_TTL_TABLE.find((row) => row.key === key);
      expect(entry, `no row of CACHE_TTL_TABLE caches ${key}`).toBeDefined();
      expect(describeTtl(ttlMs), `TTL of ${key}`).toBe(describeTtl(entry?.defaultMs ?? 0));
    },
  );

  it('has each row declared by exactly one SQL header', () => {
    for (const { key } of CACHE_TTL_TABLE) {
      expect(
        cachedReads.filter((read) => read.key === key).map((read) => read.path),
        key,
      ).toHaveLength(1);
    }
  });

  it('is what the README says', () => {
    const readme = readFileSync(join(projectRoot, 'README.md'), 'utf8');
    for (const { key, read, env, defaultMs } of CACHE_TTL_TABLE) {
      expect(readme).toContain(
        `| \`${key}\` | \`${read}\` | ${describeTtl(defaultMs)} (\`${env}\`) |`,
      );
    }
  });

  it('gives the defaults with no CACHE_TTL_* variable, and each variable overrides its row', () => {
    expect(cacheConfigFromEnv({}).ttls).toEqual(DEFAULT_CACHE_TTLS);
    expect(DEFAULT_CACHE_TTLS).toEqual({
      byIdMs: 300_000,
      byUserMs: 60_000,
      byUserAndTokenMs: 300_000,
      totalByUserMs: 120_000,
    });
    for (const { field, env } of CACHE_TTL_TABLE) {
      expect(cacheConfigFromEnv({ [env]: '7' }).ttls).toEqual({
        ...DEFAULT_CACHE_TTLS,
        [field]: 7_000,
      });
    }
    expect(() => cacheConfigFromEnv({ CACHE_TTL_TOTAL_SECONDS: '0' })).toThrow(
      'CACHE_TTL_TOTAL_SECONDS must be a positive integer, got "0"',
    );
  });

  it('describes TTLs as people read them', () => {
    expect([300_000, 60_000, 90_000, 1_500].map(describeTtl)).toEqual([
      '5 min',
      '1 min',
      '90 s',
      '1500 ms',
    ]);
  });
});
