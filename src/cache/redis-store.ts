import { createClient } from '@redis/client';
import type { CacheStore } from './cache-store.js';
import { carriesLsn } from './generation-lsn.js';
import {
  COMPARE_AND_SET,
  compareAndSetArguments,
  decode,
  encode,
  REPLACE_KEEPING_LSN,
  replaceKeepingLsnArguments,
  setIfAbsentCommand,
} from './redis-values.js';

/**
 * One node-redis connection to a single Redis (not a cluster). Values are stored as readable
 * text (redis-values.ts), so `redis-cli get balance:1` shows what a process would read.
 *
 * Connection events are facts the guard acts on: every one bumps `connection`, so a process,
 * busy or idle, re-checks the server run before it serves a hit from a new connection.
 * Commands are never queued while disconnected (the default queue is how calls hang for
 * seconds); a command sent before the first connection is up waits for it instead of failing,
 * within the caller's deadline (failing made every process start with a cool-down).
 */
export function createRedisStore(url: string): CacheStore {
  const client = createClient({
    url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: 1_000,
      // Keep trying to come back, but never more often than every 2 s.
      reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 2_000),
    },
  });
  let connection = 0;
  let everReady = false;
  let waiting: (() => void)[] = [];
  const changed = () => {
    connection++;
  };
  client.on('connect', changed);
  client.on('reconnecting', changed);
  client.on('end', changed);
  // Without an 'error' listener an EventEmitter throws; the failed commands report themselves.
  client.on('error', changed);
  client.on('ready', () => {
    changed();
    everReady = true;
    const woken = waiting;
    waiting = [];
    for (const wake of woken) wake();
  });
  // Resolves only once connected: node-redis keeps retrying with the strategy above.
  client.connect().catch(() => {});

  const ready = async () => {
    if (client.isReady) return client;
    // Only the first connection is waited for: later, a command sent while reconnecting fails
    // at once, and none is left to run late on the next connection.
    if (everReady || !client.isOpen) throw new Error('Redis is not connected');
    await new Promise<void>((resolve) => waiting.push(resolve));
    return client;
  };

  return {
    kind: 'redis',
    get connection() {
      return connection;
    },
    getMany: async (keys) => {
      const connected = await ready();
      const asked = connection;
      const values = (await connected.mGet(keys)).map(decode);
      if (connection !== asked) throw new Error('the Redis connection changed during the call');
      return { values, connection: asked };
    },
    set: async (key, value, ttlMs) => {
      await (await ready()).set(key, encode(value), { PX: ttlMs });
    },
    setIfAbsent: async (key, value, ttlMs) => {
      const held = await (await ready()).sendCommand(setIfAbsentCommand(key, value, ttlMs));
      return held === null ? value : decode(held as unknown as string);
    },
    compareAndSet: async (key, expected, value) => {
      const held = await (await ready()).eval(COMPARE_AND_SET, {
        keys: [key],
        ...compareAndSetArguments(expected, value),
      });
      return decode(held as unknown as string);
    },
    replace: async (set, ttlMs, remove) => {
      if ([...set.values()].some(carriesLsn)) {
        // With read replicas: a script, so the higher LSN is kept (generation-lsn.ts).
        await (await ready()).eval(
          REPLACE_KEEPING_LSN,
          replaceKeepingLsnArguments([...set], ttlMs, remove),
        );
        return;
      }
      const multi = (await ready()).multi();
      for (const [key, value] of set) multi.set(key, encode(value), { PX: ttlMs });
      if (remove.length > 0) multi.unlink(remove);
      await multi.exec();
    },
    delete: async (key) => {
      await (await ready()).unlink(key);
    },
    serverRun: async () => {
      const connected = await ready();
      const asked = connection;
      const run = /^run_id:(\w+)/m.exec(await connected.info('server'))?.[1];
      if (!run) throw new Error('INFO server names no run_id');
      if (connection !== asked) throw new Error('the Redis connection changed during the call');
      return { run, connection: asked };
    },
    close: async () => {
      for (const wake of waiting) wake();
      // A graceful close waits for replies a dead Redis will never send: give it a second.
      const closed = client.close().then(
        () => true,
        () => false,
      );
      const timeout = new Promise<boolean>((resolve) => setTimeout(resolve, 1_000, false).unref());
      if (!(await Promise.race([closed, timeout]))) client.destroy();
    },
  };
}
