/**
 * The service's errors: one class per thing a caller can act on. The HTTP layer maps each
 * `code` to a status; nothing here knows about HTTP.
 */

export type BalanceErrorCode =
  | 'validation'
  | 'not_found'
  | 'duplicate_balance'
  | 'insufficient_funds'
  | 'version_conflict'
  | 'idempotency_key_reused'
  | 'token_mismatch'
  | 'balance_not_empty'
  | 'database_unavailable'
  | 'outcome_unknown';

export abstract class BalanceError extends Error {
  abstract readonly code: BalanceErrorCode;
}

/** Input that can never succeed as sent; `field` names the offending input. */
export class ValidationError extends BalanceError {
  readonly code = 'validation';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

export class NotFoundError extends BalanceError {
  readonly code = 'not_found';
  constructor(what: string) {
    super(`${what} not found`);
  }
}

/** A second balance for the same user and token. */
export class DuplicateBalanceError extends BalanceError {
  readonly code = 'duplicate_balance';
  constructor(userId: string, tokenId: string) {
    super(`user ${userId} already has a balance for token ${tokenId}`);
  }
}

/** A debit larger than the balance; nothing was changed. */
export class InsufficientFundsError extends BalanceError {
  readonly code = 'insufficient_funds';
  constructor(
    readonly balanceId: string,
    readonly requested: string,
  ) {
    super(`balance ${balanceId} has less than ${requested}`);
  }
}

/** An update that named a version the balance is no longer at; nothing was changed. */
export class VersionConflictError extends BalanceError {
  readonly code = 'version_conflict';
  constructor(
    readonly expectedVersion: string,
    readonly currentVersion: string,
  ) {
    super(`expected version ${expectedVersion}, but the balance is at version ${currentVersion}`);
  }
}

/** An idempotency key already used for a different request. */
export class IdempotencyKeyReusedError extends BalanceError {
  readonly code = 'idempotency_key_reused';
  constructor() {
    super('this idempotency key was already used with a different request');
  }
}

/** A transfer between balances of two different tokens; nothing was changed. */
export class TokenMismatchError extends BalanceError {
  readonly code = 'token_mismatch';
  constructor(fromTokenId: string, toTokenId: string) {
    super(`cannot transfer token ${fromTokenId} to a balance of token ${toTokenId}`);
  }
}

/** A delete of a balance that still holds an amount; nothing was changed. */
export class BalanceNotEmptyError extends BalanceError {
  readonly code = 'balance_not_empty';
  constructor(
    readonly balanceId: string,
    readonly amount: string,
  ) {
    super(`balance ${balanceId} holds ${amount}: move it out before deleting the balance`);
  }
}

/**
 * A write whose answer was lost after PostgreSQL may have committed it (the connection broke
 * while the statement or the COMMIT was in flight). Unlike DatabaseUnavailableError, a blind
 * retry may apply the write twice: retry only with the same idempotency key, or read first.
 */
export class OutcomeUnknownError extends BalanceError {
  readonly code = 'outcome_unknown';
  constructor(
    cause: unknown,
    why = 'the connection to the database broke before its answer came back',
  ) {
    super(
      `the write may or may not have been applied: ${why}. Retry only with the same ` +
        'Idempotency-Key, or read the balance first',
      { cause },
    );
  }
}

/** PostgreSQL could not be reached or did not answer in time. */
export class DatabaseUnavailableError extends BalanceError {
  readonly code = 'database_unavailable';
  constructor(cause: unknown) {
    super('the database is unavailable', { cause });
  }
}

/** SQLSTATE classes and codes meaning "the database, not the request, is the problem". */
const UNAVAILABLE_SQLSTATES = [
  /^08/, // connection exception
  /^57P0[1-3]$/, // admin shutdown, crash shutdown, cannot connect now
  /^57014$/, // statement timeout (query_canceled)
  /^53/, // insufficient resources (too many connections, out of memory, disk full)
  /^55P03$/, // lock_timeout: a row stayed locked too long
  /^40001$|^40P01$/, // serialization failure or deadlock, still failing after the retries
];
/** Messages of pg's client when its connection is gone (a terminated backend, a restart). */
const PG_CLIENT_FAILURES =
  /timeout exceeded when trying to connect|Connection terminated|Query read timeout|is not queryable|Client was closed/;
const UNAVAILABLE_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
]);

/**
 * Turns a pg or network error into a DatabaseUnavailableError when it means the database
 * cannot serve us; returns any other error unchanged.
 */
export function classifyDatabaseError(error: unknown): unknown {
  if (error instanceof BalanceError) return error;
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : '';
  if (typeof code === 'string') {
    if (UNAVAILABLE_SQLSTATES.some((pattern) => pattern.test(code))) {
      return new DatabaseUnavailableError(error);
    }
    // Class 22, data exception: a value PostgreSQL refused (a date out of range, a NUL in
    // text). The service validates before it queries; this is the backstop that keeps such
    // input a 400 and never a 500.
    if (code.startsWith('22')) return new ValidationError('input', message || 'invalid value');
    if (UNAVAILABLE_NODE_CODES.has(code)) return new DatabaseUnavailableError(error);
  }
  // pg's own client-side failures carry no code.
  if (PG_CLIENT_FAILURES.test(message)) return new DatabaseUnavailableError(error);
  return error;
}

/** Failures that prove a statement never reached a connection, so nothing can have committed. */
const NEVER_CONNECTED = /timeout exceeded when trying to connect/;
const NEVER_CONNECTED_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', '57P03']);

/**
 * Whether a write that failed with `error` may still have committed, so its cache keys must be
 * invalidated: anything but a refusal (not found, insufficient funds, a conflict) or a database
 * that was never reached or answered with an error of its own. Broader than what the client is
 * told (OutcomeUnknownError, for a connection lost under the statement or its COMMIT): the cache
 * must not bet on an error it cannot explain.
 */
export function mayHaveCommitted(error: unknown): boolean {
  if (error instanceof OutcomeUnknownError) return true;
  if (error instanceof BalanceError && !(error instanceof DatabaseUnavailableError)) return false;
  const cause = error instanceof DatabaseUnavailableError ? error.cause : error;
  const code = (cause as { code?: unknown } | undefined)?.code;
  const message = cause instanceof Error ? cause.message : '';
  if (NEVER_CONNECTED.test(message)) return false;
  if (typeof code === 'string') {
    if (NEVER_CONNECTED_CODES.has(code)) return false;
    // A SQLSTATE is PostgreSQL's answer: the statement failed and its transaction with it,
    // unless the server was shutting the connection down under it (class 08, 57P01, 57P02).
    if (/^[0-9A-Z]{5}$/.test(code)) return /^08|^57P0[12]$/.test(code);
  }
  return true;
}

/**
 * Whether `error` means the connection itself broke (as opposed to PostgreSQL refusing the
 * statement, which rolls it back): sent while this happens, a write may have committed.
 */
export function isConnectionLoss(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : '';
  if (typeof code === 'string') {
    // 08: connection exception; 57P01-03: the backend was terminated or the server shut down.
    if (/^08/.test(code) || /^57P0[1-3]$/.test(code)) return true;
    if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ETIMEDOUT') return true;
    return false;
  }
  return /Connection terminated|Query read timeout|is not queryable|Client was closed/.test(
    message,
  );
}

/** SQLSTATEs after which the same transaction, run again, can succeed. */
export function isRetryableTransactionError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === '40001' || code === '40P01';
}
