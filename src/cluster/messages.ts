/** The messages between the primary and its workers over the cluster's IPC channel. */
export const SHUTDOWN = 'balance-service:shutdown';
export const METRICS_REQUEST = 'balance-service:metrics';
export const METRICS_REPLY = 'balance-service:metrics-reply';
/** The primary asks one worker for its own metrics, to aggregate them with the others'. */
export const OWN_METRICS_REQUEST = 'balance-service:own-metrics';
export const OWN_METRICS_REPLY = 'balance-service:own-metrics-reply';

export interface ShutdownMessage {
  type: typeof SHUTDOWN;
  signal: NodeJS.Signals;
}

export interface MetricsRequest {
  type: typeof METRICS_REQUEST;
  id: number;
}

export interface MetricsReply {
  type: typeof METRICS_REPLY;
  id: number;
  text?: string;
  error?: string;
}

export interface OwnMetricsRequest {
  type: typeof OWN_METRICS_REQUEST;
  id: number;
}

export interface OwnMetricsReply {
  type: typeof OWN_METRICS_REPLY;
  id: number;
  /** prom-client's `getMetricsAsJSON()` of the worker's registry. */
  metrics: unknown[];
}

export function isMessage<T extends { type: string }>(
  message: unknown,
  type: T['type'],
): message is T {
  return typeof message === 'object' && message !== null && (message as T).type === type;
}
