/**
 * The keyset cursor of newest-first pages: the (createdAt, id) of the last row served, opaque
 * to clients (base64url of JSON) so its form can change without breaking them.
 */
import { ValidationError } from '../errors.js';
import { requireId } from './validate.js';

/** Only the form toISOString() writes: PostgreSQL refuses much of what Date.parse accepts. */
function isExactTimestamp(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(value) &&
    !Number.isNaN(Date.parse(value)) &&
    new Date(value).toISOString() === value
  );
}

export function encodeBalanceCursor(last: { createdAt: string; id: string }): string {
  return Buffer.from(JSON.stringify([last.createdAt, last.id])).toString('base64url');
}

/** @throws ValidationError when the cursor was not made by encodeBalanceCursor. */
export function decodeBalanceCursor(cursor: string): { createdAt: string; id: string } {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    decoded = undefined;
  }
  if (!Array.isArray(decoded) || decoded.length !== 2 || !isExactTimestamp(decoded[0])) {
    throw new ValidationError('cursor', 'is not a cursor this service returned');
  }
  return { createdAt: decoded[0], id: requireId(decoded[1], 'cursor') };
}
