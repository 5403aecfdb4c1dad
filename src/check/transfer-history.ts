/**
 * The checks a history of transfers must pass, beside the bank test's (history.ts): every
 * acknowledged transfer is in the journal on both sides exactly once; every transfer in the
 * journal is explained by a request, acknowledged or in doubt, each at most once; and value is
 * conserved: a transfer's two entries cancel out, so across the balances in play the
 * transfers' entries sum to zero, whatever the faults.
 */
import type pg from 'pg';
import { type Anomaly, acknowledged, inDoubt, type Operation, parse } from './operations.js';

/** One journal line as the checker reads it. */
export interface JournalEntry {
  id: string;
  balance_id: string;
  kind: string;
  amount: string;
  transfer_id: string | null;
}

interface TransferRow {
  id: string;
  from_balance_id: string;
  to_balance_id: string;
  amount: string;
}

/** Runs the transfer checks over `history` and the journal `entries` of the balances in play. */
export async function checkTransfers(
  history: Operation[],
  entries: JournalEntry[],
  pool: pg.Pool,
  balanceIds: string[],
): Promise<Anomaly[]> {
  const anomalies: Anomaly[] = [];
  const add = (check: string, detail: string) => anomalies.push({ check, detail });
  const { rows: transfers } = await pool.query<TransferRow>(
    `SELECT id, from_balance_id, to_balance_id, amount FROM transfers
     WHERE from_balance_id = ANY($1) OR to_balance_id = ANY($1) ORDER BY id`,
    [balanceIds],
  );
  const sides = new Map<string, JournalEntry[]>();
  for (const entry of entries) {
    if (entry.transfer_id)
      sides.set(entry.transfer_id, [...(sides.get(entry.transfer_id) ?? []), entry]);
  }

  // Both sides, exactly once each, of every transfer recorded.
  for (const transfer of transfers) {
    const found = sides.get(transfer.id) ?? [];
    const debits = found.filter(
      (e) =>
        e.kind === 'debit' &&
        e.balance_id === transfer.from_balance_id &&
        e.amount === transfer.amount,
    );
    const credits = found.filter(
      (e) =>
        e.kind === 'credit' &&
        e.balance_id === transfer.to_balance_id &&
        e.amount === transfer.amount,
    );
    if (found.length !== 2 || debits.length !== 1 || credits.length !== 1)
      add(
        'transfer on both sides',
        `transfer ${transfer.id} (${transfer.amount} from ${transfer.from_balance_id} to ${transfer.to_balance_id}) has ${found.length} journal entries: ${debits.length} debit(s), ${credits.length} credit(s)`,
      );
  }
  for (const transferId of sides.keys()) {
    if (!transfers.some((t) => t.id === transferId))
      add(
        'transfer on both sides',
        `journal entries name transfer ${transferId}, which is not recorded`,
      );
  }

  // Every acknowledged transfer is recorded; every other one matches a request in doubt.
  const recorded = new Map(transfers.map((t) => [t.id, t]));
  const explained = new Set<string>();
  for (const op of history.filter((op) => op.kind === 'transfer' && acknowledged(op))) {
    const id = parse<{ transfer: { id: string } }>(op.body)?.transfer.id;
    if (!id || !recorded.has(id))
      add(
        'nothing lost',
        `acknowledged transfer ${id} of ${op.amount} from ${op.balanceId} is not recorded`,
      );
    else explained.add(id);
  }
  const doubts = history.filter((op) => op.kind === 'transfer' && inDoubt(op));
  for (const transfer of transfers) {
    if (explained.has(transfer.id)) continue;
    const at = doubts.findIndex(
      (op) =>
        op.balanceId === transfer.from_balance_id &&
        op.toBalanceId === transfer.to_balance_id &&
        op.amount === transfer.amount,
    );
    if (at === -1)
      add(
        'conservation',
        `transfer ${transfer.id} (${transfer.amount} from ${transfer.from_balance_id}) matches no request`,
      );
    else doubts.splice(at, 1);
  }

  // Value conserved: transfers' entries (debits negative) sum to exactly zero.
  const { rows } = await pool.query<{ net: string }>(
    `SELECT trim_scale(coalesce(sum(CASE kind WHEN 'debit' THEN -amount ELSE amount END), 0))::text AS net
     FROM balance_entries WHERE balance_id = ANY($1) AND transfer_id IS NOT NULL`,
    [balanceIds],
  );
  if (rows[0]?.net !== '0')
    add('total conserved', `transfers' journal entries sum to ${rows[0]?.net}, not 0`);
  return anomalies;
}
