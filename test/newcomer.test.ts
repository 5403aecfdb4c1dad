/**
 * The README's two commands as a newcomer runs them: as root, in a folder the `postgres`
 * account cannot reach (a 0700 home), with nothing set up. Also: signals at any moment leave no
 * PostgreSQL behind, and two first starts at once agree on everything.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../src/auth/tokens.js';
import { fallbackDataDir } from '../src/db/embedded-postgres.js';
import { freePort } from '../src/net/free-port.js';
import {
  copyProject,
  noPostgresLeftOn,
  postgresProcessesOn,
} from './support/postgres-processes.js';

const isRoot = userInfo().uid === 0;

interface Started {
  child: ChildProcess;
  port: number;
  output: () => string;
  exited: Promise<number | null>;
}

describe.skipIf(!isRoot)('a newcomer, as root in a 0700 folder', () => {
  let project: string;
  let dataDir: string;
  let binaryCache: string;
  const running: Started[] = [];

  beforeAll(() => {
    project = copyProject(0o700);
    dataDir = fallbackDataDir(join(project, '.data', 'postgres'));
    // A cache of its own, so the binaries are copied and checked in every run.
    binaryCache = mkdtempSync(join(tmpdir(), 'bs-binaries-'));
    chmodSync(binaryCache, 0o755);
  }, 120_000);

  afterAll(async () => {
    for (const server of running) if (server.child.exitCode === null) server.child.kill('SIGTERM');
    await Promise.all(running.map((server) => server.exited));
    await noPostgresLeftOn(dataDir);
    rmSync(project, { recursive: true, force: true });
    rmSync(dirname(dataDir), { recursive: true, force: true });
    rmSync(binaryCache, { recursive: true, force: true });
  }, 60_000);

  function environment(port: number): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: String(port),
      REDIS_URL: '',
      EMBEDDED_POSTGRES_BINARY_CACHE: binaryCache,
      SHUTDOWN_DRAIN_MS: '0',
    };
    for (const name of Object.keys(env)) {
      // This run's own settings, and vitest's, are not a newcomer's.
      if (/^(DATABASE_URL|AUTH_SECRET|NODE_ENV|EMBEDDED_POSTGRES_DIR|VITEST.*|TEST)$/.test(name))
        delete env[name];
    }
    return env;
  }

  /** `npm start` in the copy: what it runs once built. */
  async function start(): Promise<Started> {
    const port = await freePort();
    let output = '';
    const child = spawn(process.execPath, ['dist/server.js'], {
      cwd: project,
      env: environment(port),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk) => (output += chunk));
    child.stderr?.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const started = { child, port, output: () => output, exited };
    running.push(started);
    return started;
  }

  async function ready(server: Started): Promise<void> {
    for (let attempt = 0; attempt < 600; attempt++) {
      if (server.child.exitCode !== null) throw new Error(`server exited:\n${server.output()}`);
      const response = await fetch(`http://127.0.0.1:${server.port}/readyz`).catch(() => undefined);
      if (response?.status === 200) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`server not ready:\n${server.output()}`);
  }

  it('starts two servers at once: one PostgreSQL, one secret, the demo balances once', async () => {
    const servers = [await start(), await start()];
    await Promise.all(servers.map(ready));

    expect(postgresProcessesOn(dataDir)).toHaveLength(1);
    const secret = readFileSync(join(project, '.data', 'auth-secret'), 'utf8').trim();
    const token = await signToken({ userId: 'newcomer', role: 'admin' }, secret);
    for (const server of servers) {
      // Each printed an admin token signed with that one secret.
      const printed = /admin token\s+(\S+)/.exec(server.output())?.[1] ?? '';
      const check = await fetch(`http://127.0.0.1:${server.port}/v1/users/7/balances`, {
        headers: { Authorization: `Bearer ${printed}` },
      });
      expect(check.status, server.output()).toBe(200);

      const response = await fetch(`http://127.0.0.1:${server.port}/v1/users/42/balances`, {
        headers: { Authorization: `Bearer ${token}` },
      });
      const { items } = (await response.json()) as { items: { tokenId: string; amount: string }[] };
      expect(items.map((b) => [b.tokenId, b.amount]).sort()).toEqual([
        ['1', '12.5'],
        ['2', '0.000000000000000001'],
      ]);
    }
    for (const server of servers) expect(server.output()).not.toContain('    at '); // no stack

    // The one that did not start PostgreSQL goes first; then the other: nothing is left.
    for (const server of servers.reverse()) {
      server.child.kill('SIGHUP');
      expect(await server.exited).toBe(0);
    }
    expect(await noPostgresLeftOn(dataDir)).toBe(true);
  }, 120_000);

  it('leaves no PostgreSQL behind after a SIGHUP during start-up', async () => {
    expect(postgresProcessesOn(dataDir)).toEqual([]);
    const server = await start();
    // The moment the postmaster exists: migrations and the rest of start-up are still to come.
    while (postgresProcessesOn(dataDir).length === 0) {
      if (server.child.exitCode !== null) throw new Error(server.output());
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    server.child.kill('SIGHUP');
    expect(await server.exited).toBe(129);
    expect(await noPostgresLeftOn(dataDir), server.output()).toBe(true);
    expect(existsSync(join(dataDir, 'postmaster.pid'))).toBe(false);
  }, 60_000);

  it('runs the test command’s database set-up there', async () => {
    const env = environment(0);
    const vitest = join(project, 'node_modules', 'vitest', 'vitest.mjs');
    const child = spawn(
      process.execPath,
      [vitest, 'run', '--config', 'test/vitest.config.ts', 'test/sql-files.test.ts'],
      { cwd: project, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout?.on('data', (chunk) => (output += chunk));
    child.stderr?.on('data', (chunk) => (output += chunk));
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code, output).toBe(0);
    expect(output).toMatch(/tests use PostgreSQL 18\.\S+ \(embedded\)/);
    expect(await noPostgresLeftOn(dataDir)).toBe(true);
  }, 180_000);
});
