/**
 * The compiled server over a real socket: it starts, serves, and on SIGTERM under load turns
 * /readyz to 503, finishes every request it accepted, and exits cleanly, its access log
 * written to the last line (the log batches its lines: src/http/access-log.ts).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { signToken } from '../src/auth/tokens.js';
import { projectRoot } from '../src/db/database-server.js';
import { freePort } from '../src/net/free-port.js';
import { TEST_SECRET } from './support/api.js';
import { refusedStart } from './support/refused-start.js';

const DRAIN_MS = 400;
const CLIENTS = 16;

interface Outcome {
  startedAt: number;
  status?: number;
  error?: string;
}

/** One request on a connection of its own, so "accepted" means this request's connection. */
function get(
  port: number,
  path: string,
  token?: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        port,
        host: '127.0.0.1',
        path,
        agent: false,
        headers: token ? { Authorization: `Bearer ${token}` } : {},
      },
      (res) => {
        let body = '';
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('the server process', () => {
  let server: ChildProcess;
  let port: number;
  let output = '';

  beforeAll(async () => {
    port = await freePort();
    server = spawn(process.execPath, ['dist/server.js'], {
      cwd: projectRoot,
      env: {
        ...process.env,
        DATABASE_URL: inject('databaseUrl'),
        REDIS_URL: '',
        PORT: String(port),
        AUTH_SECRET: TEST_SECRET,
        SHUTDOWN_DRAIN_MS: String(DRAIN_MS),
        LOG_LEVEL: 'info',
        NODE_ENV: 'production',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server.stdout?.on('data', (chunk) => (output += chunk));
    server.stderr?.on('data', (chunk) => (output += chunk));
    for (let attempt = 0; ; attempt++) {
      try {
        if ((await get(port, '/readyz')).status === 200) break;
      } catch {
        // not listening yet
      }
      if (attempt > 200 || server.exitCode !== null)
        throw new Error(`server did not start:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }, 120_000);

  afterAll(() => {
    if (server?.exitCode === null) server.kill('SIGKILL');
  });

  it('finishes every request accepted before SIGTERM, then exits 0', async () => {
    const token = await signToken({ userId: 'ops', role: 'admin' }, TEST_SECRET);
    const outcomes: Outcome[] = [];
    let refused = false;
    const client = async () => {
      while (!refused) {
        const outcome: Outcome = { startedAt: performance.now() };
        outcomes.push(outcome);
        try {
          outcome.status = (await get(port, '/v1/balances?limit=5', token)).status;
        } catch (error) {
          outcome.error = (error as NodeJS.ErrnoException).code ?? String(error);
          if (outcome.error === 'ECONNREFUSED') refused = true;
        }
      }
    };
    // 'close': exited, and its output read to the end.
    const exited = new Promise<number | null>((resolve) => server.once('close', resolve));
    const load = Promise.all(Array.from({ length: CLIENTS }, client));

    await new Promise((resolve) => setTimeout(resolve, 500));
    const signalledAt = performance.now();
    server.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, DRAIN_MS / 4));
    const readiness = await get(port, '/readyz');
    await load;
    const code = await exited;

    const before = outcomes.filter((o) => o.startedAt < signalledAt);
    const after = outcomes.filter((o) => o.startedAt >= signalledAt);
    expect(before.length).toBeGreaterThan(CLIENTS);
    expect(before.filter((o) => o.status !== 200)).toEqual([]);
    expect(after.some((o) => o.status === 200)).toBe(true); // still serving while draining
    // Once the drain ends, new connections are refused (or reset, if they raced the close):
    // never an HTTP error.
    expect(after.filter((o) => o.status !== undefined && o.status !== 200)).toEqual([]);
    expect(readiness.status).toBe(503);
    expect(code, output).toBe(0);

    // An access-log line for every answered request, none lost at exit (a request the client
    // saw fail may have been answered too late for it, so there may be more lines).
    const served = output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line))
      .filter((line) => line.msg === 'request' && line.path === '/v1/balances');
    expect(served.length).toBeGreaterThanOrEqual(
      outcomes.filter((o) => o.status !== undefined).length,
    );
  });
});

describe('the server process in production', () => {
  it('refuses to start without AUTH_SECRET, saying so', () => {
    const environment: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'production',
      DATABASE_URL: inject('databaseUrl'),
    };
    delete environment.AUTH_SECRET;
    const { status, lines } = refusedStart(environment);
    expect(status).toBe(1);
    expect(lines.join('\n')).toContain('AUTH_SECRET must be set when NODE_ENV=production');
  });

  it('refuses the embedded PostgreSQL without DATABASE_URL, in one line, unless told so', () => {
    const environment: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'production',
      AUTH_SECRET: TEST_SECRET,
    };
    delete environment.DATABASE_URL;
    delete environment.EMBEDDED_POSTGRES_IN_PRODUCTION;
    const { status, lines } = refusedStart(environment);
    expect(status).toBe(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(
      'NODE_ENV=production needs DATABASE_URL (set EMBEDDED_POSTGRES_IN_PRODUCTION=1 to use the embedded PostgreSQL on purpose)',
    );
    expect(lines[0]).not.toContain('"stack"');
  });

  it('refuses a bad DATABASE_REPLICA_URLS in one line naming the entry, never its password', () => {
    const { status, lines } = refusedStart({
      ...process.env,
      NODE_ENV: 'production',
      AUTH_SECRET: TEST_SECRET,
      DATABASE_URL: inject('databaseUrl'),
      DATABASE_REPLICA_URLS: 'postgres://app:s3cret@replica-1/db,replica-2:5432',
    });
    expect(status).toBe(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('entry 2 of DATABASE_REPLICA_URLS must start with postgres://');
    expect(lines[0]).not.toContain('s3cret');
  });
});
