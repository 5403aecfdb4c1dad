/**
 * A Redis Cluster of its own for tests and `make check-consistency CHECK_REDIS=cluster`: three
 * masters and three replicas on free ports in a temporary folder, which can lose a master and
 * fail over to its replica.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RedisNode } from '../config.js';
import { freePort } from '../net/free-port.js';

const NODES = 6;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** One line of CLUSTER NODES, as much as the fixture needs. */
interface ClusterNodeLine {
  port: number;
  master: boolean;
  failed: boolean;
  /** Slot ranges served, as [from, to]. */
  slots: [number, number][];
}

/** Six redis-servers with `--cluster-enabled yes`, joined by `redis-cli --cluster create`. */
export class RedisCluster {
  private readonly children = new Map<number, ChildProcess>();
  private constructor(
    readonly ports: number[],
    private readonly dir: string,
  ) {}

  /**
   * Starts the nodes, creates the cluster (one replica per master) and waits until every node
   * reports `cluster_state:ok`.
   * @throws Error when redis-server or redis-cli is missing or the cluster does not form
   */
  static async start(): Promise<RedisCluster> {
    const ports: number[] = [];
    while (ports.length < NODES) {
      const port = await freePort();
      // The cluster bus listens on port + 10000: both must be free and distinct.
      if (port <= 55_535 && !ports.includes(port)) ports.push(port);
    }
    const cluster = new RedisCluster(ports, mkdtempSync(join(tmpdir(), 'redis-cluster-')));
    try {
      await Promise.all(ports.map((port) => cluster.startNode(port)));
      await cluster.cli(
        '--cluster',
        'create',
        ...ports.map((port) => `127.0.0.1:${port}`),
        '--cluster-replicas',
        '1',
        '--cluster-yes',
      );
      await cluster.waitUntilHealthy();
    } catch (error) {
      await cluster.remove();
      throw error;
    }
    return cluster;
  }

  /** Seed nodes, as REDIS_CLUSTER_NODES takes them. */
  get nodes(): RedisNode[] {
    return this.ports.map((port) => ({ host: '127.0.0.1', port }));
  }

  /** The value of REDIS_CLUSTER_NODES for this cluster. */
  get seeds(): string {
    return this.ports.map((port) => `127.0.0.1:${port}`).join(',');
  }

  /** The pids of the nodes running now (the bench counts the CPU they use). */
  get pids(): number[] {
    return [...this.children.values()].flatMap((child) => (child.pid ? [child.pid] : []));
  }

  /** Runs one command on one node through redis-cli; resolves with its reply. */
  command(port: number, ...args: string[]): Promise<string> {
    return this.cli('-p', String(port), ...args);
  }

  /** The ports of the masters that serve slots now, as a live node sees it. */
  async masterPorts(): Promise<number[]> {
    return (await this.topology()).filter((node) => node.master && !node.failed).map((n) => n.port);
  }

  /** The port of the master serving `key`'s slot. */
  async masterOf(key: string): Promise<number> {
    const slot = Number(await this.command(this.livePort(), 'CLUSTER', 'KEYSLOT', key));
    const owner = (await this.topology()).find(
      (node) =>
        node.master && !node.failed && node.slots.some(([from, to]) => slot >= from && slot <= to),
    );
    if (!owner) throw new Error(`no master serves slot ${slot}`);
    return owner.port;
  }

  /**
   * SIGKILL to the master on `port`, then waits until its replica has taken its slots over and
   * the cluster is healthy again (node timeout 2 s, then an election).
   */
  async killMasterAndFailOver(port: number): Promise<void> {
    await this.stopNode(port);
    await until(async () => {
      const topology = await this.topology();
      const served = topology
        .filter((node) => node.master && !node.failed && node.port !== port)
        .flatMap((node) => node.slots)
        .reduce((sum, [from, to]) => sum + to - from + 1, 0);
      return served === 16_384;
    }, `failover of the master on port ${port}`);
    await this.waitUntilHealthy();
  }

  /** Starts a killed node again: it rejoins as a replica of whoever took its slots. */
  async restartNode(port: number): Promise<void> {
    await this.startNode(port);
    await this.waitUntilHealthy();
  }

  /** Stops every node and deletes their files. */
  async remove(): Promise<void> {
    await Promise.all([...this.children.keys()].map((port) => this.stopNode(port)));
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async startNode(port: number): Promise<void> {
    const dir = join(this.dir, String(port));
    mkdirSync(dir, { recursive: true });
    const child = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        'nodes.conf',
        '--cluster-node-timeout',
        '2000',
        '--save',
        '',
        '--appendonly',
        'no',
      ],
      { stdio: 'ignore' },
    );
    this.children.set(port, child);
    await until(async () => (await this.command(port, 'PING')) === 'PONG', `redis-server ${port}`);
  }

  private async stopNode(port: number): Promise<void> {
    const child = this.children.get(port);
    this.children.delete(port);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  private livePort(): number {
    const [port] = this.children.keys();
    if (port === undefined) throw new Error('no node of the cluster is running');
    return port;
  }

  /**
   * Every node says `cluster_state:ok`, and every replica has synced with its master: a replica
   * that never synced refuses to stand for a failover (its data age is unknown).
   */
  private async waitUntilHealthy(): Promise<void> {
    await until(async () => {
      const states = await Promise.all(
        [...this.children.keys()].map(async (port) => ({
          cluster: await this.command(port, 'CLUSTER', 'INFO'),
          replication: await this.command(port, 'INFO', 'replication'),
        })),
      );
      return states.every(
        ({ cluster, replication }) =>
          cluster.includes('cluster_state:ok') &&
          (replication.includes('role:master') || replication.includes('master_link_status:up')),
      );
    }, 'cluster_state:ok and replicas in sync on every node');
  }

  private async topology(): Promise<ClusterNodeLine[]> {
    const text = await this.command(this.livePort(), 'CLUSTER', 'NODES');
    return text
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [, address = '', flags = '', , , , , , ...slots] = line.trim().split(' ');
        return {
          port: Number(address.split('@')[0]?.split(':')[1]),
          master: flags.split(',').includes('master'),
          failed: /fail/.test(flags),
          slots: slots
            .filter((slot) => !slot.startsWith('['))
            .map((slot) => {
              const [from, to = from] = slot.split('-');
              return [Number(from), Number(to)] as [number, number];
            }),
        };
      });
  }

  private cli(...args: string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile('redis-cli', args, { timeout: 30_000 }, (error, stdout) => {
        if (error) reject(error);
        else resolve(stdout.trim());
      });
    });
  }
}
