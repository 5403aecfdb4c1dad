/**
 * Where the CPU went during one bench run, read from /proc (Linux) before and after: the API
 * processes, PostgreSQL's backends and Redis when they run here, and the whole machine. On 2 shared cores the load
 * generator, the server, PostgreSQL and Redis compete for the same cycles, so a figure means
 * little without knowing who used them. Elsewhere (no /proc) every reading is undefined.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createClient } from '@redis/client';
import type pg from 'pg';

/** Kernel clock ticks a second (utime and stime in /proc are counted in these). */
const TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

const HAS_PROC = existsSync('/proc/stat');

/** CPU ticks (user + system) a process has used so far; 0 once it has gone. */
function processTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // After "pid (comm) ": state is field 0, so utime (field 14 of the line) is 11, stime 12.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

/** Busy ticks of the whole machine, every core summed: all but idle and iowait. */
function machineTicks(): number {
  const [line = ''] = readFileSync('/proc/stat', 'utf8').split('\n');
  const ticks = line.trim().split(/\s+/).slice(1).map(Number);
  const total = ticks.reduce((sum, x) => sum + x, 0);
  return total - (ticks[3] ?? 0) - (ticks[4] ?? 0);
}

/**
 * Starts counting the CPU one process uses (every thread: the event loop, GC, libuv's pool):
 * the returned function gives the microseconds since. Undefined without /proc.
 */
export function startProcessCpu(pid: number): (() => number) | undefined {
  if (!HAS_PROC) return undefined;
  const before = processTicks(pid);
  return () => ((processTicks(pid) - before) * 1e6) / TICKS_PER_SECOND;
}

/** Cores used during a run: each group's, summed over its processes, and the machine's. */
export interface CpuCount<Group extends string> {
  groups: Record<Group, number>;
  machine: number;
}

/**
 * Starts counting: call the returned function when the run ends to get the cores each group of
 * processes used meanwhile (ticks over wall time), and `machine`, every process on the machine
 * (other people's work on a shared machine included). Undefined without /proc.
 */
export function startCpuCount<Group extends string>(
  groups: Record<Group, number[]>,
): (() => CpuCount<Group>) | undefined {
  if (!HAS_PROC) return undefined;
  const sum = (pids: number[]) => pids.reduce((total, pid) => total + processTicks(pid), 0);
  const names = Object.keys(groups) as Group[];
  const before = names.map((name) => sum(groups[name]));
  const machineBefore = machineTicks();
  const started = performance.now();
  return () => {
    const seconds = (performance.now() - started) / 1000;
    const cores = (ticks: number) => Math.round((ticks / TICKS_PER_SECOND / seconds) * 100) / 100;
    const used = Object.fromEntries(
      names.map((name, i) => [name, cores(Math.max(0, sum(groups[name]) - (before[i] ?? 0)))]),
    ) as Record<Group, number>;
    return { groups: used, machine: cores(machineTicks() - machineBefore) };
  };
}

/** True when the URL's server runs on this machine, so the pids it reports are pids here. */
function onThisMachine(url: string): boolean {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  return ['', 'localhost', '127.0.0.1', '::1'].includes(host) || host.startsWith('/');
}

/**
 * The PostgreSQL backends serving `pool`'s database now (the API's connections among them),
 * when PostgreSQL runs on this machine; none otherwise.
 */
export async function postgresBackendPids(pool: pg.Pool, databaseUrl: string): Promise<number[]> {
  if (!HAS_PROC || !onThisMachine(databaseUrl)) return [];
  const { rows } = await pool.query<{ pid: number }>(
    'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
  );
  return rows.map((row) => row.pid);
}

/** The pid of the Redis at `url` (INFO server), when it runs on this machine. */
export async function redisServerPid(url: string): Promise<number | undefined> {
  if (!HAS_PROC || !onThisMachine(url)) return undefined;
  const client = createClient({ url, socket: { connectTimeout: 1_000, reconnectStrategy: false } });
  client.on('error', () => {});
  try {
    await client.connect();
    const pid = Number(/process_id:(\d+)/.exec(await client.info('server'))?.[1]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  } finally {
    await client.close().catch(() => {});
  }
}
