/**
 * Redis for the tests: the one at REDIS_URL (default 127.0.0.1:6379), and redis-server
 * processes of a test's own that it can kill. Where neither exists, the Redis tests skip with a
 * printed reason; under CI=true they fail instead, because CI must run them.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@redis/client';

export const sharedRedisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

/** Why the Redis tests cannot run here, or undefined when they can. Throws under CI. */
export async function redisSkipReason(): Promise<string | undefined> {
  const client = createClient({
    url: sharedRedisUrl,
    socket: { connectTimeout: 1_000, reconnectStrategy: false },
  });
  client.on('error', () => {});
  let reason: string | undefined;
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    reason = `no Redis at ${sharedRedisUrl} (${error instanceof Error ? error.message : error})`;
  } finally {
    await client.close().catch(() => {});
  }
  return skipOrFail(reason);
}

/** Why a test cannot start a redis-server of its own here, or undefined. Throws under CI. */
export function redisServerSkipReason(): Promise<string | undefined> {
  const found = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
  return skipOrFail(found ? undefined : 'redis-server is not installed');
}

async function skipOrFail(reason: string | undefined): Promise<string | undefined> {
  if (reason && process.env.CI) throw new Error(`CI must run the Redis tests, but ${reason}`);
  if (reason) console.warn(`skipping Redis tests: ${reason}`);
  return reason;
}

/** A key prefix no other test run uses, so runs sharing one Redis never meet. */
export function uniqueKeyPrefix(): string {
  return `test-${randomBytes(6).toString('hex')}:`;
}

/** Deletes every key under `prefix`. */
export async function deleteKeys(url: string, prefix: string): Promise<void> {
  await withClient(url, async (client) => {
    for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) {
      if (keys.length > 0) await client.del(keys);
    }
  });
}

function connectOnce(url: string) {
  return createClient({ url, socket: { reconnectStrategy: false } });
}

export type RedisTestClient = ReturnType<typeof connectOnce>;

export async function withClient<T>(
  url: string,
  work: (client: RedisTestClient) => Promise<T>,
): Promise<T> {
  const client = connectOnce(url);
  client.on('error', () => {});
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.close().catch(() => {});
  }
}

/**
 * A redis-server of the test's own on a free port. It keeps its data in an append-only file
 * synced on every write, so a value cached before a kill is still there after a restart:
 * exactly the situation in which a lost invalidation would serve a stale balance.
 */
export class OwnRedisServer {
  private process: ChildProcess | undefined;
  private readonly dir = mkdtempSync(join(tmpdir(), 'balance-redis-'));

  private constructor(readonly port: number) {}

  static async start(): Promise<OwnRedisServer> {
    const server = new OwnRedisServer(await freePort());
    await server.restart();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async restart(): Promise<void> {
    this.process = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--dir',
        this.dir,
        '--save',
        '',
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
      ],
      { stdio: 'ignore' },
    );
    for (let attempt = 0; attempt < 100; attempt++) {
      try {
        await withClient(this.url, (client) => client.ping());
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    throw new Error(`redis-server did not start on port ${this.port}`);
  }

  /** SIGKILL: no shutdown, no goodbye to clients, as when a host dies. */
  async kill(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(),
      );
    });
  });
}
