/**
 * Input checks shared by the service's methods. Each returns the value in the form the queries
 * take, or throws a ValidationError naming the field. Money stays a string throughout.
 */
import { ValidationError } from '../errors.js';

const INT8_MAX = 9223372036854775807n;
export const ID_PATTERN = /^[1-9][0-9]{0,18}$/;
/** Up to 78 integer digits (a uint256 has 78) and at most 18 decimals; no sign, no exponent. */
export const DECIMAL_PATTERN = /^(0|[1-9][0-9]{0,77})(\.[0-9]{1,18})?$/;
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

export const MAX_PAGE_SIZE = 100;
/** A page's size when the caller names none. */
export const DEFAULT_PAGE_SIZE = 20;
const MAX_OFFSET = 2 ** 31 - 1;

/** A positive 64-bit id, as a decimal string. */
export function requireId(value: unknown, field: string): string {
  if (typeof value !== 'string' || !ID_PATTERN.test(value) || BigInt(value) > INT8_MAX) {
    throw new ValidationError(field, 'must be a positive 64-bit integer, as a decimal string');
  }
  return value;
}

/** A non-negative decimal string with at most 18 decimals. */
export function requireDecimal(value: unknown, field: string): string {
  if (typeof value !== 'string' || !DECIMAL_PATTERN.test(value)) {
    throw new ValidationError(
      field,
      'must be a non-negative decimal string with at most 18 decimals, such as "12.5"',
    );
  }
  return value;
}

/** A decimal string greater than zero, with at most 18 decimals: what a credit or debit moves. */
export function requirePositiveAmount(value: unknown, field: string): string {
  const amount = requireDecimal(value, field);
  if (/^0(\.0+)?$/.test(amount)) throw new ValidationError(field, 'must be greater than zero');
  return amount;
}

export function requirePageSize(value: unknown, field = 'limit'): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_PAGE_SIZE) {
    throw new ValidationError(field, `must be an integer from 1 to ${MAX_PAGE_SIZE}`);
  }
  return value;
}

export function requireOffset(value: unknown, field = 'offset'): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_OFFSET) {
    throw new ValidationError(field, `must be an integer from 0 to ${MAX_OFFSET}`);
  }
  return value;
}

/** Printable text: no control characters (PostgreSQL refuses NUL in text outright). */
export const ADDRESS_PATTERN = /^\P{Cc}{1,255}$/u;

export function requireAddress(value: unknown, field = 'address'): string {
  if (typeof value !== 'string' || !ADDRESS_PATTERN.test(value)) {
    throw new ValidationError(
      field,
      'must be 1 to 255 characters, none of them control characters',
    );
  }
  return value;
}

/** Idempotency keys as Stripe takes them: 1 to 255 visible ASCII characters. */
export function requireIdempotencyKey(value: unknown, field = 'idempotencyKey'): string {
  if (typeof value !== 'string' || !IDEMPOTENCY_KEY_PATTERN.test(value)) {
    throw new ValidationError(field, 'must be 1 to 255 visible ASCII characters');
  }
  return value;
}
