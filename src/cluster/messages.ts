/**
 * The messages between the primary and its workers over the cluster's IPC channel. prom-client's
 * own aggregation messages travel on the same channel; these are told apart by `type`.
 */
export const SHUTDOWN = 'balance-service:shutdown';
export const METRICS_REQUEST = 'balance-service:metrics';
export const METRICS_REPLY = 'balance-service:metrics-reply';

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

export function isMessage<T extends { type: string }>(
  message: unknown,
  type: T['type'],
): message is T {
  return typeof message === 'object' && message !== null && (message as T).type === type;
}
