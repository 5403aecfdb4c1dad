/**
 * The keyset cursors of a user's balances, opaque to clients (base64url of JSON) so their form
 * can change without breaking them. Two orders, and a cursor says which one it continues:
 *
 * - newest first (`?limit`/`?cursor` pages): `[createdAt, id]` of the last row served, the
 *   form these cursors have always had, so cursors already handed out keep working;
 * - token order (the bounded unpaged list and the pages that continue it): `["token", tokenId]`
 *   of the last balance served. "token" is never a timestamp, so the two cannot be confused.
 */
import { ValidationError } from '../errors.js';
import { requireId } from './validate.js';

const TOKEN_ORDER = 'token';

/** Where a page of a user's balances resumes, and in which order. */
export type UserBalancesCursor =
  | { order: 'created'; createdAt: string; id: string }
  | { order: 'token'; afterTokenId: string };

/** Only the form toISOString() writes: PostgreSQL refuses much of what Date.parse accepts. */
function isExactTimestamp(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(value) &&
    !Number.isNaN(Date.parse(value)) &&
    new Date(value).toISOString() === value
  );
}

/** The cursor of newest-first pages, after `last`. */
export function encodeBalanceCursor(last: { createdAt: string; id: string }): string {
  return Buffer.from(JSON.stringify([last.createdAt, last.id])).toString('base64url');
}

/** The cursor of token-order pages, after the balance of token `last.tokenId`. */
export function encodeTokenCursor(last: { tokenId: string }): string {
  return Buffer.from(JSON.stringify([TOKEN_ORDER, last.tokenId])).toString('base64url');
}

/** @throws ValidationError (field `cursor`) when the cursor was not made by one of the encoders above. */
export function decodeUserBalancesCursor(cursor: string): UserBalancesCursor {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    decoded = undefined;
  }
  if (!Array.isArray(decoded) || decoded.length !== 2) throw notACursor();
  if (decoded[0] === TOKEN_ORDER) {
    return { order: 'token', afterTokenId: requireId(decoded[1], 'cursor') };
  }
  if (!isExactTimestamp(decoded[0])) throw notACursor();
  return { order: 'created', createdAt: decoded[0], id: requireId(decoded[1], 'cursor') };
}

function notACursor(): ValidationError {
  return new ValidationError('cursor', 'is not a cursor this service returned');
}
