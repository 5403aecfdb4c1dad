import { OutcomeUnknownError } from '../errors.js';
import type { Logger } from '../logger.js';
import type {
  Invalidation,
  InvalidationLedger,
  RecordedInvalidation,
} from './invalidation-ledger.js';

/** Generation key → the value keys it guards, for one attempt to reach the cache. */
export type Batch = Map<string, Set<string>>;

export interface InvalidationsOptions {
  /** Replaces the batch's generations and deletes its values; false if that did not land. */
  apply: (batch: Batch, background: boolean) => Promise<boolean>;
  /** Where failed invalidations are recorded for every process; none: this process only. */
  ledger?: InvalidationLedger;
  /** How long a poll of the ledger is trusted; a writer whose invalidation failed waits this. */
  leaseMs: number;
  /** How often this process's own failed invalidations are retried. */
  retryIntervalMs: number;
  logger: Logger;
}

/** Failed invalidations are retried this many generations at a time. */
const RETRY_CHUNK = 100;
/** Ledger rows read per poll; more than this and the whole cache is distrusted until drained. */
const LEDGER_PAGE = 500;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The invalidations that have not reached the cache yet, and whether a read may use it.
 *
 * In this process: a failed invalidation is kept and retried until it lands, and reads of its
 * keys skip the cache meanwhile.
 *
 * Across processes (with a ledger): the writer also records the invalidation in PostgreSQL
 * and waits one lease before the write is acknowledged. Every process polls the ledger several
 * times a lease and serves a hit only while its latest poll *started* less than a lease ago and
 * listed none of the hit's keys. So a read that starts after the acknowledgement trusts only a
 * poll that started after the row was committed: it saw the row (and skips the cache for those
 * keys), or the row was gone because some process had already applied it to Redis. Whichever
 * process reaches Redis again applies the recorded invalidations and deletes the rows.
 */
export class Invalidations {
  private readonly pending = new Map<string, { values: Set<string>; version: number }>();
  /** Bumped by every failed invalidation, so a retry can tell which entries it covered. */
  private pendingVersion = 0;
  private retrying = false;
  private retryTimer: NodeJS.Timeout | undefined;
  /** Generation keys the ledger listed at the latest poll; undefined: too many to list. */
  private recorded: Set<string> | undefined = new Set();
  private leaseUntil = 0;
  private polling: Promise<void> | undefined;
  private draining = false;
  private readonly pollTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: InvalidationsOptions) {
    if (options.ledger) {
      this.pollTimer = setInterval(() => void this.poll().catch(() => {}), options.leaseMs / 4);
      this.pollTimer.unref();
      void this.poll().catch(() => {});
    }
  }

  /**
   * Whether reads guarded by `generationKey` may use the cache. Synchronous on the hot path; a
   * promise only when the lease has run out and a poll must answer first.
   */
  admits(generationKey: string): boolean | Promise<boolean> {
    if (this.pending.has(generationKey)) return false;
    if (!this.options.ledger) return true;
    if (performance.now() < this.leaseUntil) return this.recorded?.has(generationKey) === false;
    return this.poll().then(
      () => performance.now() < this.leaseUntil && this.recorded?.has(generationKey) === false,
      () => false,
    );
  }

  /**
   * Applies a write's invalidation. If it cannot land, keeps it for retries and, with a ledger,
   * records it there and waits one lease, so no process can serve the old value once this
   * returns. Call after the write commits and before acknowledging it.
   * @throws OutcomeUnknownError when the invalidation could reach neither Redis nor the
   *   ledger: the write committed, but must not be acknowledged as fresh, nor refused (a client
   *   told "unavailable, retry" would move the money twice).
   */
  async afterWrite(invalidation: Invalidation): Promise<void> {
    const batch: Batch = new Map(
      invalidation.generations.map((key) => [key, new Set(invalidation.values)]),
    );
    if (await this.options.apply(batch, false)) return;
    this.keepPending(batch);
    if (!this.options.ledger) return;
    // Neither Redis nor PostgreSQL took it: the write answers outcome-unknown (502, no
    // Retry-After), never "done" and never 503, found by make check-consistency on a cluster.
    await this.options.ledger.record(invalidation).catch((error: unknown) => {
      throw new OutcomeUnknownError(
        error,
        'it committed, but neither Redis nor the database took its cache invalidation',
      );
    });
    await sleep(this.options.leaseMs);
  }

  /** This process's invalidations waiting to be retried. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** Stops polling and retrying. Invalidations still pending are logged: they were not applied. */
  close(): void {
    clearInterval(this.pollTimer);
    clearInterval(this.retryTimer);
    this.retryTimer = undefined;
    if (this.pending.size > 0) {
      this.options.logger.error(
        { generations: [...this.pending.keys()] },
        'cache closed with invalidations not applied by this process',
      );
    }
  }

  private poll(): Promise<void> {
    const ledger = this.options.ledger;
    if (!ledger) return Promise.resolve();
    this.polling ??= (async () => {
      const started = performance.now();
      const rows = await ledger.list(LEDGER_PAGE);
      this.recorded =
        rows.length < LEDGER_PAGE ? new Set(rows.flatMap((row) => row.generations)) : undefined;
      this.leaseUntil = started + this.options.leaseMs;
      if (rows.length > 0) void this.drain(ledger, rows);
    })().finally(() => {
      this.polling = undefined;
    });
    return this.polling;
  }

  /** Applies recorded invalidations to the cache, then deletes their rows. Off the request path. */
  private async drain(ledger: InvalidationLedger, rows: RecordedInvalidation[]): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      const batch: Batch = new Map();
      for (const row of rows) {
        for (const generation of row.generations) {
          const values = batch.get(generation) ?? new Set<string>();
          for (const value of row.values) values.add(value);
          batch.set(generation, values);
        }
      }
      if (await this.options.apply(batch, true)) {
        await ledger.remove(rows.map((row) => row.id));
        this.options.logger.info({ rows: rows.length }, 'recorded cache invalidations applied');
      }
    } catch {
      // The next poll tries again.
    } finally {
      this.draining = false;
    }
  }

  private keepPending(batch: Batch): void {
    this.pendingVersion++;
    for (const [generationKey, values] of batch) {
      const known = this.pending.get(generationKey)?.values ?? new Set<string>();
      for (const value of values) known.add(value);
      this.pending.set(generationKey, { values: known, version: this.pendingVersion });
    }
    this.retryTimer ??= setInterval(() => void this.retryPending(), this.options.retryIntervalMs);
    this.retryTimer.unref();
  }

  /**
   * Applies pending invalidations in chunks. An entry that a newer write joined while its chunk
   * was in flight stays pending: the generation just written may predate that write's commit,
   * so it gets another, later one.
   */
  private async retryPending(): Promise<void> {
    if (this.retrying) return;
    this.retrying = true;
    try {
      const entries = [...this.pending];
      for (let at = 0; at < entries.length; at += RETRY_CHUNK) {
        const chunk = entries.slice(at, at + RETRY_CHUNK);
        const batch: Batch = new Map(chunk.map(([g, entry]) => [g, new Set(entry.values)]));
        if (!(await this.options.apply(batch, true))) return;
        for (const [generationKey, { version }] of chunk) {
          if (this.pending.get(generationKey)?.version === version)
            this.pending.delete(generationKey);
        }
      }
    } finally {
      this.retrying = false;
    }
    if (this.pending.size === 0) {
      clearInterval(this.retryTimer);
      this.retryTimer = undefined;
      this.options.logger.info({}, 'cache invalidations retried and applied');
    }
  }
}
