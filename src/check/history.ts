/**
 * The checker's record of every request and response, and the checks run over it, in the
 * spirit of Jepsen's bank test.
 */
import type pg from 'pg';
import {
  type Anomaly,
  acknowledged,
  type BalanceBody,
  inDoubt,
  type MovementBody,
  type Operation,
  outcomeUnknown,
  parse,
  type TransferBody,
} from './operations.js';
import { checkTransfers, type JournalEntry } from './transfer-history.js';

export type { Anomaly, Operation, OperationKind } from './operations.js';

/** The balances an acknowledged write left at a version: one for a movement, two for a transfer. */
function versionsWritten(op: Operation): { balanceId: string; version: bigint }[] {
  if (op.kind === 'transfer') {
    const body = parse<TransferBody>(op.body);
    if (!body) return [];
    return [body.from, body.to].map((b) => ({ balanceId: b.id, version: BigInt(b.version) }));
  }
  const version = parse<MovementBody>(op.body)?.balance.version ?? '0';
  return [{ balanceId: op.balanceId, version: BigInt(version) }];
}

/** Runs every check; an empty list means the history is consistent. */
export async function checkHistory(
  history: Operation[],
  pool: pg.Pool,
  deadlineMs: number,
): Promise<Anomaly[]> {
  const anomalies: Anomaly[] = [];
  const add = (check: string, detail: string) => anomalies.push({ check, detail });

  // No request hangs, and nothing a client sent becomes a 500.
  for (const op of history) {
    if (!op.deliberateTimeout && op.endedAt - op.startedAt > deadlineMs) {
      add(
        'no hang',
        `${op.kind} on ${op.balanceId} via ${op.via} took ${Math.round(op.endedAt - op.startedAt)} ms`,
      );
    }
    if (op.status !== undefined && op.status >= 500 && op.status !== 503 && !outcomeUnknown(op)) {
      add(
        'no 500',
        `${op.kind} on ${op.balanceId} via ${op.via} answered ${op.status}: ${op.body?.slice(0, 200)}`,
      );
    }
  }

  // 2. No read (and no transfer's answer) ever shows a negative amount.
  for (const op of history) {
    const body = op.kind === 'read' && op.status === 200 ? parse<BalanceBody>(op.body) : undefined;
    if (body?.amount.startsWith('-')) {
      add('no negative amount', `balance ${op.balanceId} read as ${body.amount}`);
    }
    const moved =
      op.kind === 'transfer' && acknowledged(op) ? parse<TransferBody>(op.body) : undefined;
    for (const side of moved ? [moved.from, moved.to] : []) {
      if (side.amount.startsWith('-')) {
        add('no negative amount', `balance ${side.id} left at ${side.amount} by a transfer`);
      }
    }
  }

  // 3. No stale read: a read that starts after a write was acknowledged shows that write's
  //    version or a newer one.
  const byBalance = new Map<string, Operation[]>();
  const writesTo = new Map<string, { endedAt: number; version: bigint; op: Operation }[]>();
  for (const op of history) {
    byBalance.set(op.balanceId, [...(byBalance.get(op.balanceId) ?? []), op]);
    if (op.toBalanceId && !byBalance.has(op.toBalanceId)) byBalance.set(op.toBalanceId, []);
    if (!acknowledged(op)) continue;
    for (const { balanceId, version } of versionsWritten(op)) {
      writesTo.set(balanceId, [
        ...(writesTo.get(balanceId) ?? []),
        { endedAt: op.endedAt, version, op },
      ]);
    }
  }
  for (const [balanceId, ops] of byBalance) {
    const writes = writesTo.get(balanceId) ?? [];
    for (const read of ops.filter((op) => op.kind === 'read' && op.status === 200)) {
      const version = BigInt(parse<BalanceBody>(read.body)?.version ?? '0');
      // Versions only grow, so the highest acknowledged before the read started is the bar.
      let newest: (typeof writes)[number] | undefined;
      for (const write of writes) {
        if (write.endedAt < read.startedAt && (!newest || write.version > newest.version))
          newest = write;
      }
      if (newest && version < newest.version) {
        add(
          'no stale read',
          `balance ${balanceId}: read via ${read.via} at +${Math.round(read.startedAt)} ms showed version ${version}, after version ${newest.version} was acknowledged (via ${newest.op.via})`,
        );
      }
    }
  }

  // 4. Exactly once per idempotency key; replays return the same status and body.
  const byKey = new Map<string, Operation[]>();
  for (const op of history) if (op.key) byKey.set(op.key, [...(byKey.get(op.key) ?? []), op]);
  for (const [key, ops] of byKey) {
    const answered = ops.filter(acknowledged);
    const distinctBodies = new Set(answered.map((op) => op.body));
    if (distinctBodies.size > 1)
      add('exactly once', `key ${key}: ${distinctBodies.size} different successful answers`);
  }

  // 1 and 5. Conservation, through the journal: every acknowledged movement is in it, every
  //    other entry is explained by a request whose outcome is in doubt (each at most once),
  //    and each balance equals the sum of its journal.
  const { rows: entries } = await pool.query<JournalEntry>(
    `SELECT id, balance_id, kind, amount, transfer_id
     FROM balance_entries WHERE balance_id = ANY($1) ORDER BY id`,
    [[...byBalance.keys()]],
  );
  const journalIds = new Set(entries.map((e) => e.id));
  const acknowledgedEntries = new Set<string>();
  for (const op of history.filter((op) => acknowledged(op) && op.kind !== 'transfer')) {
    const entryId = parse<MovementBody>(op.body)?.entry.id;
    if (!entryId) continue;
    acknowledgedEntries.add(entryId);
    if (!journalIds.has(entryId))
      add(
        'nothing lost',
        `acknowledged ${op.kind} of ${op.amount} on ${op.balanceId} (entry ${entryId}) is not in the journal`,
      );
  }
  const doubts = history
    .filter(inDoubt)
    .concat(history.filter((op) => op.kind !== 'read' && op.via === 'sql'));
  for (const entry of entries) {
    // Transfers' entries are accounted for by checkTransfers.
    if (entry.kind === 'adjustment' || entry.transfer_id || acknowledgedEntries.has(entry.id))
      continue;
    const at = doubts.findIndex(
      (op) =>
        op.balanceId === entry.balance_id && op.kind === entry.kind && op.amount === entry.amount,
    );
    if (at === -1)
      add(
        'conservation',
        `journal entry ${entry.id} (${entry.kind} ${entry.amount} on ${entry.balance_id}) matches no request`,
      );
    else doubts.splice(at, 1);
  }
  const { rows: unbalanced } = await pool.query<{ id: string; amount: string; journal: string }>(
    `SELECT b.id, b.amount, coalesce(sum(CASE e.kind WHEN 'debit' THEN -e.amount ELSE e.amount END), 0) AS journal
     FROM balances AS b LEFT JOIN balance_entries AS e ON e.balance_id = b.id
     WHERE b.id = ANY($1)
     GROUP BY b.id
     HAVING b.amount <> coalesce(sum(CASE e.kind WHEN 'debit' THEN -e.amount ELSE e.amount END), 0)`,
    [[...byBalance.keys()]],
  );
  for (const row of unbalanced)
    add(
      'journal sums to balance',
      `balance ${row.id} is ${row.amount}, its journal sums to ${row.journal}`,
    );
  anomalies.push(...(await checkTransfers(history, entries, pool, [...byBalance.keys()])));
  return anomalies;
}
