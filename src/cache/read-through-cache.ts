import { randomUUID } from 'node:crypto';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { CacheStore } from './create-cache-store.js';

/**
 * A read-through cache that never serves a value older than an acknowledged write, and never
 * lets the cache slow a request down.
 *
 * No stale fill. A reader that misses, reads PostgreSQL, and stores its result just after a
 * writer invalidated would leave the pre-write value cached for a whole TTL. So every value key
 * is guarded by a generation key: a reader notes the generation before it reads PostgreSQL and
 * stores the value tagged with it; a writer, after its commit, replaces the generation with a
 * fresh random one. A value whose tag is not the current generation is a miss. Keyv has no
 * compare-and-set, so the check happens on every read (value and generation in one MGET).
 *
 * Generations must outlive the values they guard: they are written with a TTL of more than
 * twice the longest value TTL, and after each store the reader reads the generation again, so
 * an LRU store always evicts a generation after the values it guards. (With Redis, use a
 * `maxmemory-policy` of `noeviction` or `volatile-ttl` so the same holds.)
 *
 * Stampedes. Concurrent reads of one key in this process share one lookup and one query. A
 * write detaches the shared read of the keys it touches, so a read that starts after the write
 * is acknowledged never joins a read that started before it; and a read that joins checks the
 * generation again, for writes made by other processes.
 *
 * Faults. Every cache call has a deadline. Past it, or on any error, the read goes to
 * PostgreSQL and the cache is skipped for a short cool-down, so a dead Redis costs one deadline,
 * not one per request. An invalidation that fails is kept and retried until it lands; until
 * then, reads guarded by it skip the cache, so values cached before the write are never served
 * when Redis returns. (This bookkeeping is per process: see the README for what that means with
 * several instances.)
 */
export interface ReadThroughCacheOptions {
  store: CacheStore;
  metrics: Metrics;
  logger: Logger;
  /** Longest TTL of any value; generations live more than twice as long. */
  maxValueTtlMs: number;
  /** Prepended to every key; empty in production so keys are the seed's. */
  keyPrefix?: string;
  /** Deadline of one cache call. */
  timeoutMs?: number;
  /** How long the cache is skipped after a failed call. */
  cooldownMs?: number;
  /** How often failed invalidations are retried. */
  retryIntervalMs?: number;
}

/** One cached read: where it lives, what guards it, and how to load it on a miss. */
export interface CachedRead<T> {
  /** Metric label. */
  query: string;
  key: string;
  generationKey: string;
  ttlMs: number;
  load: () => Promise<T>;
  /** Whether a loaded value may be cached (a "not found" usually may not). */
  shouldStore?: (value: T) => boolean;
}

export interface CacheHealth {
  kind: CacheStore['kind'];
  /** False while the cache is being skipped after a failure. */
  healthy: boolean;
  /** Invalidations that failed and are waiting to be retried. */
  pendingInvalidations: number;
}

/** What a value key holds: the value and the generation it was read under. */
interface Tagged<T> {
  g: string;
  v: T;
}

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

/** One lookup-or-load, shared by the concurrent reads of a key. */
interface Flight {
  value: unknown;
  hit: boolean;
  /** The generation the value was read under; undefined when the cache could not be read. */
  generation: string | undefined;
}

/** The generation of a key no write has touched (or whose generation has expired). */
const NO_GENERATION = '-';

/** Failed invalidations are retried this many generations at a time, under this deadline. */
const RETRY_CHUNK = 100;
const RETRY_TIMEOUT_MS = 1_000;

class CacheTimeoutError extends Error {
  constructor(ms: number) {
    super(`cache call exceeded its ${ms} ms deadline`);
  }
}

export class ReadThroughCache {
  private readonly keyv: CacheStore['keyv'];
  private readonly prefix: string;
  private readonly timeoutMs: number;
  private readonly cooldownMs: number;
  private readonly retryIntervalMs: number;
  private readonly generationTtlMs: number;
  private readonly shared = new Map<string, Promise<Flight>>();
  /** Generation key → value keys of invalidations that have not reached the cache yet. */
  private readonly pending = new Map<string, { values: Set<string>; version: number }>();
  /** Bumped by every failed invalidation, so a retry can tell which entries it covered. */
  private pendingVersion = 0;
  private retrying = false;
  /** Set by any failed call: values may predate writes whose invalidations were lost. */
  private suspect = false;
  private flushing: Promise<boolean> | undefined;
  private skipUntil = 0;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: ReadThroughCacheOptions) {
    this.keyv = options.store.keyv;
    this.prefix = options.keyPrefix ?? '';
    this.timeoutMs = options.timeoutMs ?? 50;
    this.cooldownMs = options.cooldownMs ?? 1_000;
    this.retryIntervalMs = options.retryIntervalMs ?? 500;
    this.generationTtlMs = 2 * options.maxValueTtlMs + 60_000;
  }

  /** The value from the cache if it is current, else from `load` (and then cached). */
  async read<T>(read: CachedRead<T>): Promise<T> {
    const { metrics } = this.options;
    const joined = this.shared.get(read.key);
    const flight = joined ?? this.startFlight(read);
    const { value, hit, generation } = await flight;
    // A write in another process cannot detach this process's shared read. So a read that
    // joined one checks that the generation it was read under is still current; if a write
    // has replaced it since, or the shared read could not note one (the cache was failing),
    // the shared value may predate that write, and PostgreSQL answers.
    if (
      joined &&
      (generation === undefined ||
        !(await this.isCurrent(read.query, read.generationKey, generation)))
    ) {
      metrics.cacheMisses.inc({ query: read.query });
      return read.load();
    }
    (hit ? metrics.cacheHits : metrics.cacheMisses).inc({ query: read.query });
    return value as T;
  }

  /**
   * Makes the given values stale: detaches shared reads of them, replaces their generations and
   * deletes them. Call after the write commits and before acknowledging it. Never throws: a
   * failure is retried in the background while reads of these keys skip the cache.
   */
  async invalidate(keys: { values: string[]; generations: string[] }): Promise<void> {
    for (const key of keys.values) this.shared.delete(key);
    const batch = new Map(keys.generations.map((g) => [g, new Set(keys.values)]));
    // Tried even during a cool-down: the write waits for it anyway, and an invalidation that
    // lands now closes the window in which other processes could read the old value.
    if (!(await this.apply(batch))) this.keepPending(batch);
  }

  health(): CacheHealth {
    return {
      kind: this.options.store.kind,
      healthy: !this.isSkipping(),
      pendingInvalidations: this.pending.size,
    };
  }

  /** Stops retrying. Invalidations still pending are logged: they could not be applied. */
  async close(): Promise<void> {
    clearInterval(this.retryTimer);
    this.retryTimer = undefined;
    if (this.pending.size > 0) {
      this.options.logger.error(
        { generations: [...this.pending.keys()] },
        'cache closed with invalidations not applied; their values expire with their TTL',
      );
    }
    await this.options.store.close();
  }

  private startFlight<T>(read: CachedRead<T>): Promise<Flight> {
    const started = this.lookUpOrLoad(read);
    this.shared.set(read.key, started);
    const forget = () => {
      if (this.shared.get(read.key) === started) this.shared.delete(read.key);
    };
    started.then(forget, forget);
    return started;
  }

  private async lookUpOrLoad<T>(read: CachedRead<T>): Promise<Flight> {
    if (this.pending.has(read.generationKey) || this.isSkipping() || !(await this.trustworthy())) {
      return { value: await read.load(), hit: false, generation: undefined };
    }
    let generation: string | undefined;
    try {
      const [tagged, current] = (await this.call(read.query, this.timeoutMs, () =>
        this.keyv.getMany([this.prefix + read.key, this.prefix + read.generationKey]),
      )) as [Tagged<T> | undefined, string | undefined];
      generation = current ?? NO_GENERATION;
      if (tagged && tagged.g === generation) return { value: tagged.v, hit: true, generation };
    } catch {
      // Already counted and logged; read PostgreSQL and do not store.
    }
    const value = deepFreeze(await read.load());
    if (generation !== undefined && (read.shouldStore?.(value) ?? true)) {
      await this.store(read, generation, value).catch(() => {});
    }
    return { value, hit: false, generation };
  }

  private async isCurrent(
    query: string,
    generationKey: string,
    generation: string,
  ): Promise<boolean> {
    try {
      const current = await this.call(query, this.timeoutMs, () =>
        this.keyv.get(this.prefix + generationKey),
      );
      return (current ?? NO_GENERATION) === generation;
    } catch {
      return false;
    }
  }

  private async store<T>(read: CachedRead<T>, generation: string, value: T): Promise<void> {
    if (this.pending.has(read.generationKey) || this.isSkipping()) return;
    const key = this.prefix + read.key;
    const generationKey = this.prefix + read.generationKey;
    const tagged: Tagged<T> = { g: generation, v: value };
    await this.call(read.query, this.timeoutMs, () => this.keyv.set(key, tagged, read.ttlMs));
    // Reading the generation after the value keeps it the more recently used of the two, and
    // drops at once a value that a write made stale while this read was loading.
    const now = ((await this.call(read.query, this.timeoutMs, () =>
      this.keyv.get(generationKey),
    )) ?? NO_GENERATION) as string;
    if (now !== generation)
      await this.call(read.query, this.timeoutMs, () => this.keyv.delete(key));
  }

  /** Applies a batch of invalidations; false if it did not reach the cache. */
  private async apply(
    batch: Map<string, Set<string>>,
    timeoutMs = this.timeoutMs,
  ): Promise<boolean> {
    const generation = randomUUID();
    const values = [...new Set([...batch.values()].flatMap((set) => [...set]))];
    try {
      await this.call('invalidate', timeoutMs, () =>
        Promise.all([
          this.keyv.setMany(
            [...batch.keys()].map((key) => ({
              key: this.prefix + key,
              value: generation,
              ttl: this.generationTtlMs,
            })),
          ),
          this.keyv.deleteMany(values.map((key) => this.prefix + key)),
        ]),
      );
      return true;
    } catch {
      return false;
    }
  }

  private keepPending(batch: Map<string, Set<string>>): void {
    this.pendingVersion++;
    for (const [generationKey, values] of batch) {
      const known = this.pending.get(generationKey)?.values ?? new Set<string>();
      for (const value of values) known.add(value);
      this.pending.set(generationKey, { values: known, version: this.pendingVersion });
    }
    this.retryTimer ??= setInterval(() => void this.retryPending(), this.retryIntervalMs);
    this.retryTimer.unref();
  }

  /**
   * Applies pending invalidations in chunks, each with a longer deadline than a request's. An
   * entry that a newer write joined while its chunk was in flight stays pending: the generation
   * just written may predate that write's commit, so it gets another, later one.
   */
  private async retryPending(): Promise<void> {
    if (this.retrying) return;
    this.retrying = true;
    try {
      const entries = [...this.pending];
      for (let at = 0; at < entries.length; at += RETRY_CHUNK) {
        const chunk = entries.slice(at, at + RETRY_CHUNK);
        const batch = new Map(chunk.map(([g, entry]) => [g, new Set(entry.values)]));
        if (!(await this.apply(batch, RETRY_TIMEOUT_MS))) return;
        for (const [generationKey, { version }] of chunk) {
          if (this.pending.get(generationKey)?.version === version)
            this.pending.delete(generationKey);
        }
      }
    } finally {
      this.retrying = false;
    }
    this.skipUntil = 0;
    if (this.pending.size === 0) {
      clearInterval(this.retryTimer);
      this.retryTimer = undefined;
      this.options.logger.info({}, 'cache invalidations retried and applied');
    }
  }

  /** Runs one cache call under a deadline; a failure starts the cool-down and rethrows. */
  private async call<R>(query: string, timeoutMs: number, operation: () => Promise<R>): Promise<R> {
    let timer: NodeJS.Timeout | undefined;
    try {
      // The in-memory store answers within the same tick: a timer would only cost the hit path.
      if (this.options.store.kind === 'memory') return await operation();
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new CacheTimeoutError(timeoutMs)), timeoutMs);
      });
      const attempt = operation();
      attempt.catch(() => {}); // it may fail after the deadline, with no one left to listen
      return await Promise.race([attempt, deadline]);
    } catch (error) {
      const { metrics, logger } = this.options;
      const timedOut = error instanceof CacheTimeoutError;
      (timedOut ? metrics.cacheTimeouts : metrics.cacheErrors).inc({ query });
      if (!this.isSkipping()) {
        logger.warn(
          { query, err: error instanceof Error ? error.message : String(error) },
          `cache ${timedOut ? 'timed out' : 'failed'}; reading PostgreSQL for the next ${this.cooldownMs} ms`,
        );
      }
      this.skipUntil = Date.now() + this.cooldownMs;
      this.suspect = true;
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * After a failure, this process cannot know which invalidations other processes lost while
   * the cache was unreachable, nor whether a restarted Redis reloaded values older than them.
   * So before using the cache again it deletes every value (generations stay): misses, never a
   * stale hit. Resolves false while that is not done.
   */
  private trustworthy(): Promise<boolean> {
    if (!this.suspect) return Promise.resolve(true);
    this.flushing ??= this.options.store
      .flush(this.prefix, RETRY_TIMEOUT_MS)
      .then(
        () => {
          this.suspect = false;
          this.options.logger.info({}, 'cache back: values cached before the failure deleted');
          return true;
        },
        () => false,
      )
      .finally(() => {
        this.flushing = undefined;
      });
    return this.flushing;
  }

  private isSkipping(): boolean {
    return Date.now() < this.skipUntil;
  }
}
