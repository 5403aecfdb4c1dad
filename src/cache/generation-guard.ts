import { randomUUID } from 'node:crypto';
import type { Breaker } from './breaker.js';
import type { CacheStore } from './cache-store.js';

/** What a value key holds: the value, and the epoch and generation it was read under. */
export interface Tagged<T> {
  e: string;
  g: string;
  v: T;
}

/** The epoch and generation a lookup saw: what a value loaded after it is tagged with. */
export interface Stamp {
  epoch: string;
  generation: string;
}

export type Lookup = { hit: true; value: unknown; stamp: Stamp } | { hit: false; stamp: Stamp };

/**
 * Decides whether a cached value may be served. Two keys guard each value:
 *
 * - its *generation* (`balance:gen:<id>`, `balance:gen:user:<userId>`), replaced by every write
 *   after its commit. A reader that misses makes sure a generation exists (SET NX) before it
 *   reads PostgreSQL and tags what it stores with it; a value whose tag is not the current
 *   generation is a miss. Because the reader creates the generation rather than noting its
 *   absence, a generation that vanishes later (`make cache-flush`, expiry, eviction, an empty
 *   restart) makes its values misses; it never validates an old one.
 * - the *epoch* (`balance:epoch`), one key for the whole cache, named after the Redis run that
 *   holds it (`<run_id>/<random>`). Replacing it forgets every value at once, in O(1): no
 *   process ever scans to forget. A process reads the epoch with every lookup and, once per
 *   connection, asks Redis for its run_id (INFO server) before serving a hit from that
 *   connection. An epoch that is missing, or that names another run (a restart, from a
 *   snapshot or not; a failover to a replica), is replaced before anything is served, so
 *   values restored from disk or replicated before a write are never hits.
 *
 * A lookup is one MGET (value, generation, epoch): the hit path costs one round trip, as before.
 */
export class GenerationGuard {
  private checkedConnection = -1;
  private run: string | undefined;
  private checking: Promise<void> | undefined;

  constructor(
    private readonly store: CacheStore,
    private readonly breaker: Breaker,
    /** The epoch key, prefixed. */
    private readonly epochKey: string,
    private readonly generationTtlMs: number,
    /** The value of a generation a reader creates; by default a plain random one. */
    private readonly freshGeneration: () => Promise<string> = async () => randomUUID(),
  ) {}

  /**
   * Looks `key` up under `generationKey` (both prefixed). A miss comes with the stamp to tag a
   * value loaded now. Throws when the cache cannot be read safely: then nothing is stored.
   */
  async lookUp(query: string, key: string, generationKey: string): Promise<Lookup> {
    const run = await this.serverRun(query);
    const { values, connection } = await this.breaker.call(query, () =>
      this.store.getMany([key, generationKey, this.epochKey]),
    );
    // A reply from a connection whose run was not checked may come from a Redis that restarted.
    if (connection !== this.checkedConnection) throw new Error('Redis reconnected: run unchecked');
    const [tagged, generation, epoch] = values as [Tagged<unknown> | undefined, unknown, unknown];
    const current = this.belongs(epoch, run) ? epoch : await this.renewEpoch(query, epoch, run);
    if (tagged && tagged.e === current && typeof generation === 'string' && tagged.g === generation)
      return { hit: true, value: tagged.v, stamp: { epoch: current, generation } };
    let ensured: string;
    if (typeof generation === 'string') ensured = generation;
    else {
      // Outside the breaker: asking PostgreSQL (with replicas) is no cache call.
      const fresh = await this.freshGeneration();
      ensured = await this.breaker.call(query, () =>
        this.store.setIfAbsent(generationKey, fresh, this.generationTtlMs),
      );
    }
    return { hit: false, stamp: { epoch: current, generation: ensured } };
  }

  /**
   * Stores a value loaded after `lookUp` gave `stamp`, then reads generation and epoch again:
   * that keeps the generation more recently used than its values (an LRU evicts it last), and
   * drops at once a value that a write or a new epoch made stale while it was loading.
   */
  async storeValue<T>(
    query: string,
    key: string,
    generationKey: string,
    stamp: Stamp,
    value: T,
    ttlMs: number,
  ): Promise<void> {
    const tagged: Tagged<T> = { e: stamp.epoch, g: stamp.generation, v: value };
    await this.breaker.call(query, () => this.store.set(key, tagged, ttlMs));
    if (!(await this.isCurrent(query, generationKey, stamp)))
      await this.breaker.call(query, () => this.store.delete(key));
  }

  /** Whether `stamp` is still current: same generation, same epoch, a checked connection. */
  async isCurrent(query: string, generationKey: string, stamp: Stamp): Promise<boolean> {
    try {
      const { values, connection } = await this.breaker.call(query, () =>
        this.store.getMany([generationKey, this.epochKey]),
      );
      return (
        connection === this.checkedConnection &&
        values[0] === stamp.generation &&
        values[1] === stamp.epoch
      );
    } catch {
      return false;
    }
  }

  /** Forgets every cached value at once, whatever its generation. */
  async forgetAll(query: string): Promise<void> {
    const run = await this.serverRun(query);
    const { values } = await this.breaker.call(query, () => this.store.getMany([this.epochKey]));
    await this.renewEpoch(query, values[0], run, true);
  }

  /** The run behind the current connection, asked once per connection. */
  private async serverRun(query: string): Promise<string> {
    while (this.run === undefined || this.store.connection !== this.checkedConnection) {
      this.checking ??= this.breaker
        .call(query, () => this.store.serverRun())
        .then(({ run, connection }) => {
          this.run = run;
          this.checkedConnection = connection;
        })
        .finally(() => {
          this.checking = undefined;
        });
      await this.checking;
      // Checked on a connection that has already been replaced: fail rather than loop.
      if (this.store.connection !== this.checkedConnection)
        throw new Error('Redis reconnected while its run was checked');
    }
    return this.run;
  }

  private belongs(epoch: unknown, run: string): epoch is string {
    return typeof epoch === 'string' && epoch.startsWith(`${run}/`);
  }

  /**
   * Replaces `seen` (the epoch as read, perhaps absent or from another run) with a new one of
   * this run, unless another process already did: compare-and-set, so a burst of processes
   * noticing one restart forgets the cache once, not once each.
   */
  private async renewEpoch(
    query: string,
    seen: unknown,
    run: string,
    force = false,
  ): Promise<string> {
    // With read replicas the epoch also carries the primary's position now (freshGeneration):
    // a floor under every generation read in it, since a generation restored from an older
    // snapshot or lost in a failover may carry an LSN older than acknowledged writes.
    const fresh = `${run}/${await this.freshGeneration()}`;
    const expected = typeof seen === 'string' ? seen : undefined;
    const held = await this.breaker.call(query, () =>
      this.store.compareAndSet(this.epochKey, expected, fresh),
    );
    if (held === fresh || (force ? held !== expected : this.belongs(held, run))) return held;
    throw new Error('the cache epoch names another Redis run');
  }
}
