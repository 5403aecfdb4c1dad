/**
 * Every error answer is `application/problem+json` (RFC 9457). Routes throw; `toProblem` is
 * the one place that decides the status, and nothing a client sent becomes a 500.
 */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ZodError } from 'zod';
import { BalanceError, type BalanceErrorCode, ValidationError } from '../errors.js';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  errors?: { field: string; message: string }[];
}

/** An error answer raised by the HTTP layer itself (authentication, access, conditions). */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    detail?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(detail ?? title);
  }
}

/** Invalid input found by a request schema; each field is named. */
export class RequestValidationError extends HttpProblem {
  readonly errors: { field: string; message: string }[];
  constructor(target: string, error: ZodError) {
    const errors = error.issues.map((issue) => ({
      field: [target, ...issue.path.map(String)].join('.'),
      message: issue.message,
    }));
    const detail = errors.map((e) => `${e.field}: ${e.message}`).join('; ');
    super(400, 'validation', 'Invalid request', detail);
    this.errors = errors;
  }
}

const SERVICE_ERRORS: Record<BalanceErrorCode, { status: number; title: string }> = {
  validation: { status: 400, title: 'Invalid request' },
  not_found: { status: 404, title: 'Not found' },
  duplicate_balance: { status: 409, title: 'Balance already exists' },
  insufficient_funds: { status: 409, title: 'Insufficient funds' },
  version_conflict: { status: 412, title: 'Version conflict' },
  idempotency_key_reused: { status: 422, title: 'Idempotency key reused' },
  token_mismatch: { status: 422, title: 'Token mismatch' },
  balance_not_empty: { status: 409, title: 'Balance not empty' },
  database_unavailable: { status: 503, title: 'Service unavailable' },
  // Not 503: a 503 with Retry-After invites a blind retry, which could apply the write twice.
  outcome_unknown: { status: 502, title: 'Outcome unknown' },
};

function problemType(code: string): string {
  return `urn:balance-service:problem:${code.replaceAll('_', '-')}`;
}

/** The problem for any thrown value, and whether it was the server's fault. */
export function toProblem(error: unknown): {
  problem: Problem;
  headers: Record<string, string>;
  serverFault: boolean;
} {
  if (error instanceof RequestValidationError) {
    return {
      problem: {
        type: problemType(error.code),
        title: error.title,
        status: 400,
        detail: error.message,
        errors: error.errors,
      },
      headers: {},
      serverFault: false,
    };
  }
  if (error instanceof HttpProblem) {
    return {
      problem: {
        type: problemType(error.code),
        title: error.title,
        status: error.status,
        detail: error.message,
      },
      headers: error.headers,
      serverFault: false,
    };
  }
  if (error instanceof BalanceError) {
    const { status, title } = SERVICE_ERRORS[error.code];
    const problem: Problem = {
      type: problemType(error.code),
      title,
      status,
      detail: error.message,
    };
    if (error instanceof ValidationError) {
      problem.errors = [{ field: error.field, message: error.message }];
    }
    const headers: Record<string, string> = status === 503 ? { 'Retry-After': '1' } : {};
    return { problem, headers, serverFault: status >= 500 };
  }
  if (error instanceof HTTPException) {
    // Raised by Hono's own middleware (body limit, malformed JSON): a client error.
    const status = error.status;
    const code =
      status === 413 ? 'body-too-large' : status === 401 ? 'unauthorized' : 'bad-request';
    return {
      problem: {
        type: problemType(code),
        title: error.message || 'Bad request',
        status,
        detail: error.message,
      },
      headers: {},
      serverFault: status >= 500,
    };
  }
  return {
    problem: {
      type: 'about:blank',
      title: 'Internal Server Error',
      status: 500,
      detail: 'The server failed to answer; the error is logged with this request id.',
    },
    headers: {},
    serverFault: true,
  };
}

export function problemResponse(
  c: Context,
  problem: Problem,
  headers: Record<string, string> = {},
) {
  const requestId = c.get('requestId' as never) as string | undefined;
  const body = requestId ? { ...problem, instance: `urn:request:${requestId}` } : problem;
  return c.newResponse(JSON.stringify(body), problem.status as 400, {
    ...headers,
    'Content-Type': 'application/problem+json',
  });
}
