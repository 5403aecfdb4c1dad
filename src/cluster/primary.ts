import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry } from 'prom-client';
import type { DatabaseServer } from '../db/database-server.js';
import type { Logger } from '../logger.js';
import {
  isMessage,
  METRICS_REPLY,
  METRICS_REQUEST,
  type MetricsReply,
  type MetricsRequest,
  OWN_METRICS_REPLY,
  OWN_METRICS_REQUEST,
  type OwnMetricsReply,
  type OwnMetricsRequest,
  SHUTDOWN,
  type ShutdownMessage,
} from './messages.js';

/** A worker that lived this long before crashing resets the back-off. */
const HEALTHY_AFTER_MS = 10_000;
const MAX_RESTART_DELAY_MS = 5_000;
/** A worker drains for SHUTDOWN_DRAIN_MS, then finishes requests for 10 s at most. */
const WORKER_STOP_GRACE_MS = 10_000;
/** How long the primary waits for one worker's metrics (the asking worker waits 5 s). */
const OWN_METRICS_TIMEOUT_MS = 2_000;

export interface PrimaryOptions {
  workers: number;
  /** How long a worker keeps serving after being asked to stop (its SHUTDOWN_DRAIN_MS). */
  drainMs: number;
  /** The database the primary opened (and owns, if embedded): workers use its URL. */
  database: DatabaseServer;
  logger: Logger;
  /** Called once, when the first worker listens. */
  onListening: () => void;
}

/**
 * The primary of `WORKERS=N`: forks N API workers that share one port (each accepts from the
 * shared socket), restarts a worker that dies with a growing back-off, serves the
 * workers' aggregated metrics, and on `stop(signal)` asks every worker to drain and resolves
 * once all have exited. It serves no request itself.
 */
export function superviseWorkers(options: PrimaryOptions): {
  stop(signal: NodeJS.Signals): Promise<void>;
} {
  const { workers, database, logger } = options;
  let nextMetricsRequest = 0;
  let stopping = false;
  let crashes = 0;
  let announced = false;
  /** Workers listening, hence past start-up: they hear messages (a starting one may not yet). */
  const listening = new Set<Worker>();

  const fork = () => {
    const worker = cluster.fork({ DATABASE_URL: database.url, WORKERS: '1' });
    const bornAt = Date.now();
    worker.on('message', (message: unknown) => {
      if (isMessage<MetricsRequest>(message, METRICS_REQUEST)) void sendMetrics(worker, message.id);
    });
    worker.once('listening', () => {
      listening.add(worker);
      if (!announced) options.onListening();
      announced = true;
    });
    worker.once('exit', (code, signal) => {
      listening.delete(worker);
      if (stopping) return;
      crashes = Date.now() - bornAt > HEALTHY_AFTER_MS ? 1 : crashes + 1;
      const delay = Math.min(100 * 2 ** (crashes - 1), MAX_RESTART_DELAY_MS);
      logger.error(
        { worker: worker.id, pid: worker.process.pid, code, signal, restartInMs: delay },
        'worker died: starting another',
      );
      setTimeout(() => stopping || fork(), delay);
    });
  };

  /**
   * Every listening worker's own metrics, summed as prom-client's AggregatorRegistry does. Not
   * its clusterMetrics(): that asks every forked worker, and one still starting (a replacement,
   * say) may not hear the request yet, which failed /metrics for 5 s after every start.
   */
  const aggregatedMetrics = async (): Promise<string> => {
    const id = nextMetricsRequest++;
    const metrics = await Promise.all([...listening].map((worker) => ownMetrics(worker, id)));
    return AggregatorRegistry.aggregate(metrics as never[]).metrics();
  };

  const ownMetrics = (worker: Worker, id: number) =>
    new Promise<unknown[]>((resolve, reject) => {
      const onMessage = (message: unknown) => {
        if (!isMessage<OwnMetricsReply>(message, OWN_METRICS_REPLY) || message.id !== id) return;
        clearTimeout(timer);
        worker.off('message', onMessage);
        resolve(message.metrics);
      };
      const timer = setTimeout(() => {
        worker.off('message', onMessage);
        reject(new Error(`worker ${worker.id} sent no metrics in ${OWN_METRICS_TIMEOUT_MS} ms`));
      }, OWN_METRICS_TIMEOUT_MS);
      worker.on('message', onMessage);
      const request: OwnMetricsRequest = { type: OWN_METRICS_REQUEST, id };
      worker.send(request);
    });

  const sendMetrics = async (worker: Worker, id: number) => {
    const reply: MetricsReply = { type: METRICS_REPLY, id };
    try {
      reply.text = await aggregatedMetrics();
    } catch (error) {
      reply.error = error instanceof Error ? error.message : String(error);
    }
    if (worker.isConnected()) worker.send(reply);
  };

  // The workers accept connections themselves from the shared socket (the kernel hands them
  // out), not through the primary in turn: a connection the primary has handed to a worker
  // that is then killed before it says "accepted" stays open in the primary for ever, and its
  // client hangs (seen under make check-consistency CHECK_WORKERS=2). The kernel's hand-out
  // is less even, but a killed worker then costs only the connections it held.
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  for (let i = 0; i < workers; i++) fork();

  return {
    stop: async (signal) => {
      stopping = true;
      const running = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w);
      const exited = running.map((w) => new Promise((resolve) => w.once('exit', resolve)));
      const message: ShutdownMessage = { type: SHUTDOWN, signal };
      for (const worker of running) {
        // A message, because the terminal's Ctrl-C may already have reached the worker and a
        // second signal means "now". A worker still starting may not hear messages yet (they
        // are dropped until it listens for them), and a signal is never lost.
        if (listening.has(worker) && worker.isConnected()) worker.send(message);
        else worker.process.kill('SIGTERM');
      }
      // Past its drain and its in-flight grace, a worker that has not exited never will.
      const killer = setTimeout(
        () => {
          for (const worker of running) {
            if (!worker.isDead()) {
              logger.error({ worker: worker.id }, 'worker did not stop in time: killing it');
              worker.process.kill('SIGKILL');
            }
          }
        },
        options.drainMs + WORKER_STOP_GRACE_MS + 5_000,
      );
      await Promise.all(exited);
      clearTimeout(killer);
    },
  };
}
