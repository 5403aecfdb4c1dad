/**
 * Offset against keyset paging of every balance (page size 20) at depths from the first page
 * to page 10,000: OFFSET reads and throws away every earlier row; a keyset cursor starts at
 * its row through the index.
 */
import type pg from 'pg';
import type { BalanceService } from '../service/balance-service.js';
import { latency, round, timeEach } from './stats.js';

export interface PaginationFigures {
  page: number;
  offsetP50: number;
  keysetP50: number;
}

const PAGE_SIZE = 20;
const RUNS = 100;

export async function benchPagination(
  pool: pg.Pool,
  service: BalanceService,
  totalRows: number,
): Promise<PaginationFigures[]> {
  const pages = [1, 10, 100, 1_000, 10_000].filter((page) => (page - 1) * PAGE_SIZE < totalRows);
  const figures: PaginationFigures[] = [];
  for (const page of pages) {
    const offset = (page - 1) * PAGE_SIZE;
    // The cursor of a page is the id of the row just before it.
    const { rows } = await pool.query<{ id: string }>(
      'SELECT id FROM balances ORDER BY id OFFSET $1 LIMIT 1',
      [Math.max(0, offset - 1)],
    );
    const after = page === 1 ? undefined : rows[0]?.id;
    const runs = Array.from({ length: RUNS }, (_, i) => i);
    await timeEach(runs.slice(0, 10), () => service.getAllAfter(PAGE_SIZE, after)); // warm the pages
    const byOffset = await timeEach(runs, () => service.getAll(PAGE_SIZE, offset));
    const byKeyset = await timeEach(runs, () => service.getAllAfter(PAGE_SIZE, after));
    figures.push({
      page,
      offsetP50: round(latency(byOffset).p50),
      keysetP50: round(latency(byKeyset).p50),
    });
  }
  return figures;
}
