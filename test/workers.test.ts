/**
 * WORKERS=N: the compiled server as a primary with N API workers on one port, over a real
 * PostgreSQL and Redis. One port, every worker's metrics in /metrics, a killed worker replaced,
 * and a SIGTERM that drains them all.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { signToken } from '../src/auth/tokens.js';
import { childrenOf } from '../src/check/processes.js';
import { projectRoot } from '../src/db/database-server.js';
import { freePort } from '../src/net/free-port.js';
import { TEST_SECRET } from './support/api.js';
import { uniqueUserId } from './support/ids.js';
import { deleteKeys, redisSkipReason, sharedRedisUrl, uniqueKeyPrefix } from './support/redis.js';
import { refusedStart } from './support/refused-start.js';

const skip = await redisSkipReason();

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
): Promise<T> {
  for (let attempt = 0; attempt < 300; attempt++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('WORKERS with the in-memory cache', () => {
  it('refuses to start, in one line, asking for REDIS_URL', () => {
    const { status, lines } = refusedStart({
      ...process.env,
      WORKERS: '2',
      REDIS_URL: '',
      AUTH_SECRET: TEST_SECRET,
    });
    expect(status).toBe(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('WORKERS=2 needs REDIS_URL');
  });
});

describe.skipIf(skip !== undefined)('WORKERS=2 with Redis', () => {
  let primary: ChildProcess;
  let port: number;
  let output = '';
  const keyPrefix = uniqueKeyPrefix();
  const base = () => `http://127.0.0.1:${port}`;

  beforeAll(async () => {
    port = await freePort();
    primary = spawn(process.execPath, ['dist/server.js'], {
      cwd: projectRoot,
      env: {
        ...process.env,
        WORKERS: '2',
        PORT: String(port),
        DATABASE_URL: inject('databaseUrl'),
        REDIS_URL: sharedRedisUrl,
        CACHE_KEY_PREFIX: keyPrefix,
        AUTH_SECRET: TEST_SECRET,
        SHUTDOWN_DRAIN_MS: '100',
        NODE_ENV: 'production',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    primary.stdout?.on('data', (chunk) => (output += chunk));
    primary.stderr?.on('data', (chunk) => (output += chunk));
    await waitFor('two workers answering', async () => {
      if (primary.exitCode !== null) throw new Error(`the primary exited:\n${output}`);
      const ready = await fetch(`${base()}/readyz`).catch(() => undefined);
      return ready?.status === 200 && childrenOf(primary.pid as number).length === 2
        ? true
        : undefined;
    });
  }, 60_000);

  afterAll(async () => {
    if (primary?.exitCode === null) primary.kill('SIGKILL');
    await deleteKeys(sharedRedisUrl, keyPrefix);
  });

  it('answers from both workers on one port and sums their metrics in /metrics', async () => {
    const admin = await signToken({ userId: 'ops', role: 'admin' }, TEST_SECRET);
    const created = await fetch(`${base()}/v1/balances`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${admin}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ userId: uniqueUserId(), tokenId: '1', amount: '3.5' }),
    });
    expect(created.status, output).toBe(201);
    const { id } = (await created.json()) as { id: string };

    const reads = 40;
    // Ten at a time, a connection each: the kernel hands new connections to whichever worker
    // accepts first, so concurrent ones spread over both.
    for (let batch = 0; batch < reads / 10; batch++) {
      const responses = await Promise.all(
        Array.from({ length: 10 }, () =>
          fetch(`${base()}/v1/balances/${id}`, {
            headers: { Authorization: `Bearer ${admin}`, Connection: 'close' },
          }),
        ),
      );
      expect(responses.map((r) => r.status)).toEqual(Array(10).fill(200));
    }
    const count = (metrics: string, name: string) =>
      Number(new RegExp(`^${name}\\{query="findById"\\} (\\d+)`, 'm').exec(metrics)?.[1] ?? 0);
    // Whichever worker answers /metrics reports every worker's reads, summed by the primary.
    for (let scrape = 0; scrape < 4; scrape++) {
      const metrics = await (
        await fetch(`${base()}/metrics`, { headers: { Connection: 'close' } })
      ).text();
      expect(
        count(metrics, 'balance_cache_hit_total') + count(metrics, 'balance_cache_miss_total'),
      ).toBe(reads);
    }
  });

  it('replaces a worker killed outright', async () => {
    const before = childrenOf(primary.pid as number);
    process.kill(before[0] as number, 'SIGKILL');
    const after = await waitFor('a replacement worker', () => {
      const now = childrenOf(primary.pid as number);
      return now.length === 2 && !now.includes(before[0] as number) ? now : undefined;
    });
    expect(after).toContain(before[1]);
    // While the replacement starts, /metrics still answers, from the workers that listen: a
    // starting worker may not hear the primary's request yet, and waiting for it failed the
    // scrape for 5 s.
    const scrape = await fetch(`${base()}/metrics`, { headers: { Connection: 'close' } });
    expect(scrape.status).toBe(200);
    expect(await scrape.text()).toContain('balance_cache_hit_total');
    await waitFor('the replacement answering', async () => {
      const ready = await fetch(`${base()}/readyz`, { headers: { Connection: 'close' } }).catch(
        () => undefined,
      );
      return ready?.status === 200 ? true : undefined;
    });
    expect(output).toContain('worker died: starting another');
  }, 60_000);

  it('drains every worker on SIGTERM and exits 0', async () => {
    const workers = childrenOf(primary.pid as number);
    const exited = new Promise<number | null>((resolve) => primary.once('exit', resolve));
    primary.kill('SIGTERM');
    const code = await Promise.race([
      exited,
      new Promise((r) => setTimeout(r, 30_000, 'still running')),
    ]);
    expect(code, output).toBe(0);
    expect(output).not.toContain('did not stop in time'); // each drained; none was killed
    expect(workers.filter((pid) => childrenOf(1).includes(pid) || isAlive(pid))).toEqual([]);
  }, 60_000);
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
