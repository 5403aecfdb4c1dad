/**
 * A generation may carry the primary's WAL position (LSN) at or after the commit of the write
 * that set it: `<uuid>@<lsn>`, the LSN as 16 lower-case hex digits (zero-padded, so comparing
 * two as strings compares them as positions, in Lua as in JS). A reader that misses uses a
 * read replica only once that replica has replayed past it and past the epoch's (readPosition,
 * src/db/replica-router.ts). A generation without one (written with no replica configured) makes
 * its readers ask the primary's position first (query-runner.ts, readFresh).
 *
 * Two writes of one key may apply their invalidations in the other order than they committed,
 * so a store never lowers the LSN a generation holds: it keeps the higher of the one held and
 * the one written (`keepHigherLsn`, and `REPLACE_KEEPING_LSN` in redis-values.ts).
 */

/** An LSN no replica can prove it has replayed: its readers go to the primary. */
export const UNKNOWN_LSN = 'ffffffffffffffff';

const WITH_LSN = /@([0-9a-f]{16})$/;

/** `generation` carrying `lsn` (sortable form, see toSortableLsn). */
export function withLsn(generation: string, lsn: string): string {
  return `${generation}@${lsn}`;
}

/** The LSN a generation carries, or undefined when it carries none. */
export function lsnOf(generation: unknown): string | undefined {
  return typeof generation === 'string' ? WITH_LSN.exec(generation)?.[1] : undefined;
}

/**
 * The position a replica must have replayed before it may answer a miss read under `stamp`:
 * the later of its generation's and its epoch's. The epoch's is the primary's position when the
 * epoch began, after any Redis restart or failover that could have restored an older
 * generation. Undefined when either carries none: then the primary's position is asked.
 */
export function readPosition(stamp: { generation: string; epoch: string }): string | undefined {
  const generation = lsnOf(stamp.generation);
  const epoch = lsnOf(stamp.epoch);
  if (generation === undefined || epoch === undefined) return undefined;
  // biome-ignore lint/complexity/useMathMinMax: sortable hex strings, not numbers.
  return generation > epoch ? generation : epoch;
}

/** Whether a generation value carries an LSN, so its store must keep the higher one. */
export function carriesLsn(generation: unknown): boolean {
  return lsnOf(generation) !== undefined;
}

/** `next`, with the LSN of `held` instead of its own when `held`'s is higher. */
export function keepHigherLsn(held: unknown, next: string): string {
  const nextLsn = lsnOf(next);
  const heldLsn = lsnOf(held);
  if (nextLsn === undefined || heldLsn === undefined || heldLsn <= nextLsn) return next;
  return `${next.slice(0, -nextLsn.length)}${heldLsn}`;
}

/** PostgreSQL's `pg_lsn` text (`16/B374D848`) as 16 sortable hex digits. */
export function toSortableLsn(pgLsn: string): string {
  const match = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(pgLsn);
  if (!match) throw new Error(`not a pg_lsn: "${pgLsn}"`);
  const [, high, low] = match as unknown as [string, string, string];
  return (high.padStart(8, '0') + low.padStart(8, '0')).toLowerCase();
}

/** A sortable LSN back as PostgreSQL's `pg_lsn` text. */
export function toPgLsn(lsn: string): string {
  return `${lsn.slice(0, 8).toUpperCase()}/${lsn.slice(8).toUpperCase()}`;
}
