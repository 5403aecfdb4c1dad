/** What the flush needs of a node-redis client (any of its type parameters). */
interface ScanningClient {
  scanIterator(options: { MATCH: string; COUNT: number }): AsyncIterable<string[]>;
  unlink(keys: string[]): Promise<number>;
}

/**
 * `make cache-flush`: deletes every `<prefix>balance:*` key (values, generations and the epoch)
 * by SCAN + UNLINK, never KEYS. An operator tool, never run by the service: the guard needs no
 * scan to forget. It is safe while the service runs: a generation or epoch it deletes makes the
 * values it guarded misses (generation-guard.ts), including values stored after the scan passed.
 * @returns how many keys were deleted
 */
export async function flushCacheKeys(client: ScanningClient, prefix: string): Promise<number> {
  let deleted = 0;
  for await (const keys of client.scanIterator({ MATCH: `${prefix}balance:*`, COUNT: 1000 })) {
    if (keys.length > 0) deleted += await client.unlink(keys);
  }
  return deleted;
}
