/**
 * The cache side of `make check-consistency`: one redis-server (the default) or a Redis Cluster
 * (`CHECK_REDIS=cluster`), and the faults each can suffer during a run.
 */
import { freePort } from '../net/free-port.js';
import { RedisCluster, RedisProcess } from './cluster.js';

/** Which Redis the API processes use. */
export type CheckRedisKind = 'single' | 'cluster';

/** A fault injected at a fraction of the run's duration. */
export interface TimedFault {
  at: number;
  name: string;
  inject: () => Promise<unknown>;
}

/** A Redis of the check's own, what the API processes need to reach it, and its faults. */
export interface CheckRedis {
  environment: { redisUrl?: string; redisClusterNodes?: string };
  faults: TimedFault[];
  remove(): Promise<void>;
}

/** Keys that are not the check's balances, so a stall and a restart happen at production size. */
const FILLER_KEYS = 2_000_000;

/**
 * Starts the Redis of a run.
 * @throws Error when redis-server (or, for a cluster, redis-cli) cannot start
 */
export async function startCheckRedis(
  kind: CheckRedisKind,
  withFaults: boolean,
  log: (line: string) => void,
): Promise<CheckRedis> {
  return kind === 'cluster' ? startCluster(log) : startSingle(withFaults, log);
}

async function startSingle(withFaults: boolean, log: (line: string) => void): Promise<CheckRedis> {
  // Snapshots, not an append-only file: a restart comes back with older data.
  const redis = await RedisProcess.start('snapshot');
  if (withFaults) {
    log(`filling Redis with ${FILLER_KEYS} keys`);
    await redis.command('DEBUG', 'POPULATE', String(FILLER_KEYS), 'check:balance:filler');
  }
  const nowhere = await freePort();
  return {
    environment: { redisUrl: redis.url },
    faults: [
      { at: 0.1, name: 'Redis snapshot taken (SAVE)', inject: () => redis.command('SAVE') },
      { at: 0.15, name: 'Redis killed', inject: () => redis.stop() },
      {
        at: 0.25,
        name: 'Redis restarted from the older snapshot',
        inject: () => redis.restart(),
      },
      {
        at: 0.33,
        name: `Redis stalled 300 ms (DEBUG SLEEP) holding ${FILLER_KEYS} other keys`,
        inject: () => redis.command('DEBUG', 'SLEEP', '0.3'),
      },
      {
        at: 0.55,
        name: 'Redis made read-only (REPLICAOF a port where nothing listens)',
        inject: () => redis.command('REPLICAOF', '127.0.0.1', String(nowhere)),
      },
      {
        at: 0.62,
        name: 'Redis writable again (REPLICAOF NO ONE)',
        inject: () => redis.command('REPLICAOF', 'NO', 'ONE'),
      },
    ],
    remove: () => redis.remove(),
  };
}

/**
 * Three masters and three replicas. SAVE, DEBUG and REPLICAOF faults of one Redis have no
 * cluster meaning; what a cluster suffers is a master lost and its replica promoted (asynchronous
 * replication: it can lose acknowledged invalidations). Twice: first the master serving the
 * epoch's slot, then, after the first comes back as a replica, another.
 */
async function startCluster(log: (line: string) => void): Promise<CheckRedis> {
  log('starting a Redis Cluster (3 masters, 3 replicas)');
  const cluster = await RedisCluster.start();
  const killed: number[] = [];
  const failOver = async (pick: () => Promise<number>) => {
    const port = await pick();
    killed.push(port);
    await cluster.killMasterAndFailOver(port);
  };
  return {
    environment: { redisClusterNodes: cluster.seeds },
    faults: [
      {
        at: 0.15,
        name: "the Redis Cluster master of the epoch's slot killed (SIGKILL), its replica promoted",
        inject: () => failOver(() => cluster.masterOf('check:balance:epoch')),
      },
      {
        at: 0.35,
        name: 'the killed master restarted (it rejoins as a replica)',
        inject: () => cluster.restartNode(killed[0] as number),
      },
      {
        at: 0.55,
        name: 'another Redis Cluster master killed (SIGKILL), its replica promoted',
        inject: () =>
          failOver(async () => {
            const epochMaster = await cluster.masterOf('check:balance:epoch');
            const others = (await cluster.masterPorts()).filter((port) => port !== epochMaster);
            return others[0] ?? epochMaster;
          }),
      },
    ],
    remove: () => cluster.remove(),
  };
}
