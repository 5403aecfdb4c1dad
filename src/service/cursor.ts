/**
 * The keyset cursor of newest-first pages: the (createdAt, id) of the last row served, opaque
 * to clients (base64url of JSON) so its form can change without breaking them.
 */
import { ValidationError } from '../errors.js';
import { requireId } from './validate.js';

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
  if (
    !Array.isArray(decoded) ||
    decoded.length !== 2 ||
    typeof decoded[0] !== 'string' ||
    Number.isNaN(Date.parse(decoded[0]))
  ) {
    throw new ValidationError('cursor', 'is not a cursor this service returned');
  }
  return { createdAt: decoded[0], id: requireId(decoded[1], 'cursor') };
}
