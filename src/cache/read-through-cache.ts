import { randomUUID } from 'node:crypto';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { Breaker } from './breaker.js';
import type { CacheStore } from './cache-store.js';
import { GenerationGuard, type Stamp } from './generation-guard.js';
import { readPosition, UNKNOWN_LSN, withLsn } from './generation-lsn.js';
import type { Invalidation, InvalidationLedger } from './invalidation-ledger.js';
import { type Batch, Invalidations } from './invalidations.js';
import { cacheKeys } from './keys.js';
import { SingleFlight } from './single-flight.js';

/**
 * A read-through cache that never serves a value older than an acknowledged write, and never
 * lets the cache slow a request down by more than one deadline. It is four parts, each in its
 * own file:
 *
 * - shared reads (single-flight.ts): concurrent misses on a key share one query;
 * - the guard (generation-guard.ts): generations and the epoch decide what is a hit;
 * - the breaker (breaker.ts): a deadline per call and a cool-down after a failure;
 * - the invalidations (invalidations.ts): a write's invalidation, retried, and recorded in
 *   PostgreSQL for the other processes when Redis refuses it.
 *
 * See the README's cache section for the fault model.
 */
export interface ReadThroughCacheOptions {
  store: CacheStore;
  metrics: Metrics;
  logger: Logger;
  /** Longest TTL of any value; generations live more than twice as long. */
  maxValueTtlMs: number;
  /** Prepended to every key; empty in production so keys are the original model's. */
  keyPrefix?: string;
  /** Deadline of one cache call. */
  timeoutMs?: number;
  /** How long the cache is skipped after a failed call. */
  cooldownMs?: number;
  /** How often failed invalidations are retried. */
  retryIntervalMs?: number;
  /**
   * Where invalidations that Redis refused are recorded for every process (PostgreSQL). Without
   * one, only this process knows of them: fine for the in-memory store, which has no other
   * process, and for tools.
   */
  ledger?: InvalidationLedger;
  /** How long a poll of the ledger is trusted (and a refused write waits): 1 s. */
  leaseMs?: number;
  /**
   * With read replicas: the primary's current WAL position (generation-lsn.ts). Every
   * generation then carries one: a write's, asked after its commit; a reader's that creates a
   * missing generation, asked before it reads. Without: generations are plain, as before.
   */
  primaryLsn?: () => Promise<string>;
}

/** One cached read: where it lives, what guards it, and how to load it on a miss. */
export interface CachedRead<T> {
  /** Metric label. */
  query: string;
  key: string;
  generationKey: string;
  ttlMs: number;
  /**
   * Reads the value from PostgreSQL. `lsn`: the position a replica must have replayed to
   * answer (the generation's); undefined when the cache could not say, and then the loader
   * must find one elsewhere (the primary's own, asked now) or read the primary.
   */
  load: (lsn: string | undefined) => Promise<T>;
  /** Whether a loaded value may be cached (a "not found" usually may not). */
  shouldStore?: (value: T) => boolean;
}

export interface CacheHealth {
  kind: CacheStore['kind'];
  /** False while the cache is being skipped after a failure. */
  healthy: boolean;
  /** Invalidations of this process that failed and are waiting to be retried. */
  pendingInvalidations: number;
}

/** One lookup-or-load, shared by the concurrent reads of a key. */
interface Flight {
  value: unknown;
  hit: boolean;
  /** What the value was read under; undefined when the cache could not be read. */
  stamp: Stamp | undefined;
}

/** Background retries get a longer deadline than a request's call. */
const BACKGROUND_TIMEOUT_MS = 1_000;

/**
 * Values are shared: the in-memory store hands the same object to every reader, and so does a
 * shared read. Freezing them makes that safe without a copy per read.
 */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const field of Object.values(value)) deepFreeze(field);
    Object.freeze(value);
  }
  return value;
}

/** The cache in front of PostgreSQL for BalanceService's reads. */
export class ReadThroughCache {
  private readonly prefix: string;
  private readonly generationTtlMs: number;
  private readonly breaker: Breaker;
  private readonly guard: GenerationGuard;
  private readonly flights = new SingleFlight<Flight>();
  private readonly invalidations: Invalidations;
  private readonly counters = new Map<string, { hit: { inc(): void }; miss: { inc(): void } }>();

  constructor(private readonly options: ReadThroughCacheOptions) {
    this.prefix = options.keyPrefix ?? '';
    this.generationTtlMs = 2 * options.maxValueTtlMs + 60_000;
    this.breaker = new Breaker({
      timeoutMs: options.timeoutMs ?? 50,
      cooldownMs: options.cooldownMs ?? 1_000,
      deadlines: options.store.kind !== 'memory',
      metrics: options.metrics,
      logger: options.logger,
    });
    const primaryLsn = options.primaryLsn;
    this.guard = new GenerationGuard(
      options.store,
      this.breaker,
      this.prefix + cacheKeys.epoch,
      this.generationTtlMs,
      // A generation created by a reader (none existed: first read, expiry, flush, an empty
      // Redis) carries the primary's position now, which every acknowledged write precedes.
      primaryLsn && (async () => withLsn(randomUUID(), await primaryLsn())),
    );
    this.invalidations = new Invalidations({
      apply: (batch, background) => this.apply(batch, background),
      ledger: options.ledger,
      leaseMs: options.leaseMs ?? 1_000,
      retryIntervalMs: options.retryIntervalMs ?? 500,
      logger: options.logger,
    });
  }

  /** The value from the cache if it is current, else from `load` (and then cached). */
  async read<T>(read: CachedRead<T>): Promise<T> {
    const counters = this.countersOf(read.query);
    const admitted = this.invalidations.admits(read.generationKey);
    if (admitted === false || this.breaker.open || (admitted !== true && !(await admitted))) {
      counters.miss.inc();
      // The cache is skipped, so no generation says how fresh a replica must be.
      return read.load(undefined);
    }
    const joined = this.flights.joinable(read.key);
    const flight = joined ?? this.flights.start(read.key, () => this.lookUpOrLoad(read));
    const { value, hit, stamp } = await flight;
    // A write in another process cannot detach this process's shared read. So a read that
    // joined one checks that what it was read under is still current; if a write has replaced
    // the generation since, or the shared read could not read the cache, the shared value may
    // predate that write, and PostgreSQL answers.
    if (
      joined &&
      (stamp === undefined ||
        !(await this.guard.isCurrent(read.query, this.prefix + read.generationKey, stamp)))
    ) {
      counters.miss.inc();
      return read.load(undefined);
    }
    (hit ? counters.hit : counters.miss).inc();
    return value as T;
  }

  /**
   * Makes the given values stale: detaches shared reads of them, replaces their generations and
   * deletes them. Call after the write commits (or may have) and before acknowledging it.
   * @throws when the invalidation could reach neither Redis nor the ledger.
   */
  async invalidate(keys: Invalidation): Promise<void> {
    for (const key of keys.values) this.flights.detach(key);
    await this.invalidations.afterWrite(keys);
  }

  health(): CacheHealth {
    return {
      kind: this.options.store.kind,
      healthy: !this.breaker.open,
      pendingInvalidations: this.invalidations.pendingCount,
    };
  }

  /** Stops retrying and polling, and closes the store. */
  async close(): Promise<void> {
    this.invalidations.close();
    await this.options.store.close();
  }

  /** The hit and miss counters of `query`, labelled once rather than on every read. */
  private countersOf(query: string) {
    let counters = this.counters.get(query);
    if (counters === undefined) {
      const { cacheHits, cacheMisses } = this.options.metrics;
      counters = { hit: cacheHits.labels(query), miss: cacheMisses.labels(query) };
      this.counters.set(query, counters);
    }
    return counters;
  }

  private async lookUpOrLoad<T>(read: CachedRead<T>): Promise<Flight> {
    const key = this.prefix + read.key;
    const generationKey = this.prefix + read.generationKey;
    let stamp: Stamp | undefined;
    try {
      const lookup = await this.guard.lookUp(read.query, key, generationKey);
      if (lookup.hit) return { value: lookup.value, hit: true, stamp: lookup.stamp };
      stamp = lookup.stamp;
    } catch {
      // Counted by the breaker (or the primary's position could not be asked): read
      // PostgreSQL and do not store.
    }
    // No stamp (the cache could not be read): no LSN from the cache.
    const value = deepFreeze(await read.load(stamp && readPosition(stamp)));
    if (
      stamp &&
      (read.shouldStore?.(value) ?? true) &&
      this.invalidations.admits(read.generationKey) === true &&
      !this.breaker.open
    ) {
      await this.guard
        .storeValue(read.query, key, generationKey, stamp, value, read.ttlMs)
        .catch(() => {});
    }
    return { value, hit: false, stamp };
  }

  /** Replaces a batch's generations and deletes its values; false if that did not land. */
  private async apply(batch: Batch, background: boolean): Promise<boolean> {
    const generation = await this.newGeneration();
    const generations = new Map([...batch.keys()].map((key) => [this.prefix + key, generation]));
    const values = [...new Set([...batch.values()].flatMap((set) => [...set]))].map(
      (key) => this.prefix + key,
    );
    try {
      await this.breaker.call(
        'invalidate',
        () => this.options.store.replace(generations, this.generationTtlMs, values),
        // A request's invalidation is tried even during a cool-down (the write waits for it
        // anyway); a background retry that fails must not turn reads away from the cache.
        background ? { timeoutMs: BACKGROUND_TIMEOUT_MS, trips: false } : {},
      );
      return true;
    } catch {
      return false;
    }
  }

  /**
   * A write's new generation. Applied only after the write committed (or may have), so with
   * replicas the primary's position asked now is at or after its commit. If it cannot be
   * asked, the generation says "unknown" and its readers ask the primary's position themselves.
   */
  private async newGeneration(): Promise<string> {
    const primaryLsn = this.options.primaryLsn;
    if (!primaryLsn) return randomUUID();
    return withLsn(randomUUID(), await primaryLsn().catch(() => UNKNOWN_LSN));
  }
}
