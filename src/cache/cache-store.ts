/**
 * The handful of atomic operations the cache's guard needs from a store. Keyv offers none of
 * set-if-absent, compare-and-set, an atomic multi-key replace, or a way to tell which
 * connection (and which Redis run) answered, so the stores speak to Redis and to the in-memory
 * LRU directly.
 */
export interface CacheStore {
  readonly kind: 'redis' | 'memory';
  /**
   * Bumped on every connection event (connect, ready, error, reconnecting, end). A reply read
   * while this number changed may come from another connection, or another Redis run.
   */
  readonly connection: number;
  /**
   * The values at `keys`, in order (undefined where a key is absent), in one round trip, and
   * the connection that answered. Fails if a connection event came between request and reply.
   */
  getMany(keys: string[]): Promise<{ values: unknown[]; connection: number }>;
  set(key: string, value: unknown, ttlMs: number): Promise<void>;
  /** Sets `key` unless it exists; resolves with what the key holds afterwards. */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<string>;
  /**
   * Sets `key` to `value` (no TTL) if it holds `expected` (undefined: if it is absent);
   * resolves with what the key holds afterwards.
   */
  compareAndSet(key: string, expected: string | undefined, value: string): Promise<string>;
  /**
   * Sets every entry of `set` with `ttlMs` and deletes `remove`, all at once. An entry whose
   * value carries an LSN (generation-lsn.ts) keeps the higher of its LSN and the one held.
   */
  replace(set: Map<string, string>, ttlMs: number, remove: string[]): Promise<void>;
  delete(key: string): Promise<void>;
  /**
   * Names the server run behind the current connection: Redis's `run_id` (changes on every
   * restart and failover); constant for the in-memory store.
   */
  serverRun(): Promise<{ run: string; connection: number }>;
  close(): Promise<void>;
}
