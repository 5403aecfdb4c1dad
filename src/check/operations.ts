/**
 * What the consistency checker records of each request (an Operation) and finds wrong (an
 * Anomaly), and how it reads an answer: acknowledged, in doubt, or neither.
 */

export type OperationKind = 'read' | 'credit' | 'debit' | 'transfer';

export interface Operation {
  client: number;
  kind: OperationKind;
  /** The balance read, credited or debited; for a transfer, the source. */
  balanceId: string;
  /** A transfer's destination. */
  toBalanceId?: string;
  amount?: string;
  key?: string;
  /** Which API process served it (its port), or 'sql' for a planted direct write. */
  via: string;
  startedAt: number;
  endedAt: number;
  status?: number;
  body?: string;
  /** A transport failure or a deliberate client timeout: the outcome is unknown. */
  error?: string;
  deliberateTimeout?: boolean;
}

export interface Anomaly {
  check: string;
  detail: string;
}

export interface BalanceBody {
  id: string;
  amount: string;
  version: string;
}

export interface MovementBody {
  balance: BalanceBody;
  entry: { id: string; kind: string; amount: string };
}

export interface TransferBody {
  transfer: { id: string };
  from: BalanceBody;
  to: BalanceBody;
}

export function parse<T>(body: string | undefined): T | undefined {
  try {
    return body ? (JSON.parse(body) as T) : undefined;
  } catch {
    return undefined;
  }
}

/** A write answered 200 (credit, debit) or 201 (transfer). */
export const acknowledged = (op: Operation) =>
  op.kind !== 'read' && (op.status === 200 || op.status === 201);
/** Said to be of unknown outcome: the write may have committed before its answer was lost. */
export const outcomeUnknown = (op: Operation) =>
  op.status === 502 && op.body?.includes('urn:balance-service:problem:outcome-unknown') === true;
/** A write that may or may not have happened: cut off, timed out, or said to be unknown. */
export const inDoubt = (op: Operation) =>
  op.kind !== 'read' && (op.status === undefined || outcomeUnknown(op));
