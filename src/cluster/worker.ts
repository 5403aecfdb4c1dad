import cluster from 'node:cluster';
import type { Registry } from 'prom-client';
import {
  isMessage,
  METRICS_REPLY,
  METRICS_REQUEST,
  type MetricsReply,
  OWN_METRICS_REPLY,
  OWN_METRICS_REQUEST,
  type OwnMetricsReply,
  type OwnMetricsRequest,
  SHUTDOWN,
  type ShutdownMessage,
} from './messages.js';

const METRICS_TIMEOUT_MS = 5_000;

/** True in a process that the primary forked (WORKERS > 1). */
export const isWorker = cluster.isWorker;

/**
 * Hears the primary's shutdown request as `onShutdown(signal)`. Called before anything starts,
 * so a worker still starting up (a replacement, say) cannot miss it.
 */
export function listenToPrimary(onShutdown: (signal: NodeJS.Signals) => void): void {
  process.on('message', (message: unknown) => {
    if (isMessage<ShutdownMessage>(message, SHUTDOWN)) onShutdown(message.signal);
  });
}

/**
 * Makes this worker's metrics part of the primary's aggregation, and returns what `/metrics`
 * serves: every worker's metrics, aggregated by the primary.
 */
export function clusterMetrics(registry: Registry): () => Promise<string> {
  const waiting = new Map<number, (reply: MetricsReply) => void>();
  let nextId = 0;
  process.on('message', (message: unknown) => {
    if (isMessage<MetricsReply>(message, METRICS_REPLY)) waiting.get(message.id)?.(message);
    if (isMessage<OwnMetricsRequest>(message, OWN_METRICS_REQUEST)) {
      void registry.getMetricsAsJSON().then((metrics) => {
        const reply: OwnMetricsReply = { type: OWN_METRICS_REPLY, id: message.id, metrics };
        process.send?.(reply);
      });
    }
  });
  return () =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new Error(`the primary did not send the metrics within ${METRICS_TIMEOUT_MS} ms`));
      }, METRICS_TIMEOUT_MS);
      waiting.set(id, (reply) => {
        clearTimeout(timer);
        waiting.delete(id);
        if (reply.text !== undefined) resolve(reply.text);
        else reject(new Error(reply.error ?? 'no metrics'));
      });
      process.send?.({ type: METRICS_REQUEST, id });
    });
}
