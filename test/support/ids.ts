import { randomInt } from 'node:crypto';

// Test files run in parallel against one database; a random base per file keeps their users
// apart, and the counter keeps tests within a file apart.
let next = BigInt(randomInt(1, 2 ** 47)) * 1000n;

/** A user id no other test uses, as the decimal string the API and the queries take. */
export function uniqueUserId(): string {
  next += 1n;
  return next.toString();
}
