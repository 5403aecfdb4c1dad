/**
 * The parts of the bench's scale-out rows that are not timing: who the CPU count charges, and
 * what the summary says about the machine's shared cores. (`make bench-smoke` runs the
 * scenarios themselves against real servers, Redis and a Redis Cluster.)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { postgresBackendPids, redisServerPid, startCpuCount } from '../src/bench/process-cpu.js';
import type { ScaleOutFigures } from '../src/bench/scale-out.js';
import { scaleOutSection, whatTheCoresAllow } from '../src/bench/scale-out-report.js';
import { createPool } from '../src/db/pool.js';
import { redisSkipReason, sharedRedisUrl } from './support/redis.js';

const onThisMachine = (url: string) => ['127.0.0.1', 'localhost'].includes(new URL(url).hostname);
const noRedisHere = (await redisSkipReason()) !== undefined || !onThisMachine(sharedRedisUrl);

/** True once the process runs `command` and is asleep (state S in /proc/<pid>/stat). */
function asleepIn(pid: number, command: string): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.includes(`(${command})`) && stat.slice(stat.lastIndexOf(')') + 2).startsWith('S');
  } catch {
    return false;
  }
}

describe.skipIf(!existsSync('/proc/stat'))('the CPU count of a bench run', () => {
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
  });

  it('charges a busy process, not an idle one beside it', async () => {
    const busy = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
    const idle = spawn('sleep', ['60'], { stdio: 'ignore' });
    children.push(busy, idle);
    // The idle one's own start-up (exec, loading sleep) is CPU: count only once it sleeps.
    for (let attempt = 0; attempt < 200 && !asleepIn(idle.pid as number, 'sleep'); attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const count = startCpuCount({ busy: [busy.pid as number], idle: [idle.pid as number] });
    expect(count).toBeDefined();
    // No duration is assumed: read until the busy loop has been charged at least a tick, in
    // its own count and in the machine's (the two are read apart, and each rounds down).
    let used = count?.();
    for (let attempt = 0; attempt < 200 && !(used?.groups.busy && used.machine); attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      used = count?.();
    }
    expect(used?.groups.busy).toBeGreaterThan(0);
    expect(used?.groups.idle).toBe(0);
    expect(used?.machine).toBeGreaterThan(0);
  });

  it('counts a process that has gone as nothing, not as a negative', () => {
    const count = startCpuCount({ gone: [2 ** 22 + 1] });
    expect(count?.().groups.gone).toBe(0);
  });

  it.skipIf(!onThisMachine(inject('databaseUrl')))(
    "finds the PostgreSQL backends of the bench's database, another connection's among them",
    async () => {
      const pool = createPool(inject('databaseUrl'));
      const other = await pool.connect();
      try {
        const { rows } = await other.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        const pids = await postgresBackendPids(pool, inject('databaseUrl'));
        expect(pids).toContain(rows[0]?.pid);
        for (const pid of pids) expect(existsSync(`/proc/${pid}`)).toBe(true);
      } finally {
        other.release();
        await pool.end();
      }
    },
  );

  it.skipIf(noRedisHere)('finds the pid of a Redis on this machine', async () => {
    const pid = await redisServerPid(sharedRedisUrl);
    expect(readFileSync(`/proc/${pid}/comm`, 'utf8')).toMatch(/^redis-server/);
  });
});

function figure(
  setup: ScaleOutFigures['setup'],
  read: ScaleOutFigures['read'],
  requestsPerSecond: number,
  ratioToOneWorker: number,
  cores?: Partial<NonNullable<ScaleOutFigures['cores']>>,
): ScaleOutFigures {
  return {
    name: `balance by id, ${read}, ${setup}`,
    method: 'GET',
    path: '/v1/balances/1',
    setup,
    read,
    requestsPerSecond,
    ratioToOneWorker,
    p50: 1,
    p90: 2,
    p99: 3,
    errors: 0,
    non2xx: 0,
    requests: requestsPerSecond * 5,
    distinctPaths: read === 'warm' ? 1 : requestsPerSecond * 5,
    generatorCores: 0.9,
    ...(cores
      ? {
          cores: {
            generator: 0.9,
            api: 0.8,
            workers: [],
            postgres: 0.2,
            redis: 0.1,
            machine: 1.2,
            other: 0,
            ...cores,
          },
        }
      : {}),
  };
}

describe('what the scale-out summary says', () => {
  const figures = [
    figure('Redis, WORKERS=1', 'warm', 1000, 1, { api: 0.5 }),
    figure('Redis, WORKERS=1', 'cold', 800, 1),
    figure('Redis, WORKERS=2', 'warm', 1100, 1.1, { machine: 1.95, workers: [0.5, 0.3] }),
    figure('Redis, WORKERS=2', 'cold', 700, 0.875),
  ];

  it('gives the measured ratios and calls a busy machine saturated', () => {
    const text = whatTheCoresAllow(figures, 2);
    expect(text).toContain('WORKERS=2 cannot double anything here');
    expect(text).toContain('110% of WORKERS=1 warm and 88% cold');
    expect(text).toContain('busy 1.95 of 2 cores (saturated)');
    expect(text).not.toContain('Redis Cluster ran');
    // 0.8 cores over 1,100 requests/s, and 0.5 over 1,000.
    expect(text).toContain('spent 0.727 ms of CPU, against 0.5 ms for one process');
  });

  it('does not call a machine with cores to spare saturated', () => {
    const calm = figures.map((f) => (f.cores ? { ...f, cores: { ...f.cores, machine: 1.2 } } : f));
    expect(whatTheCoresAllow(calm, 2)).toContain('busy 1.2 of 2 cores:');
  });

  it('shows each worker share of the cores, and nothing for a run without scale-out rows', () => {
    const lines = scaleOutSection(figures, 2).join('\n');
    expect(lines).toContain('API 0.8 (0.5 + 0.3)');
    expect(lines).toContain('| Redis, WORKERS=2 | cold | 700 | 88% |');
    expect(lines).toContain('| 0.727 | autocannon 0.9, API 0.8 (0.5 + 0.3)');
    expect(scaleOutSection(undefined, 2)).toEqual([]);
  });
});
