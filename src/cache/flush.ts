import keySlot from 'cluster-key-slot';

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
 *
 * On a Redis Cluster, call it once per master (cache-admin.ts): a SCAN walks one node, and
 * UNLINK of keys of several slots fails with CROSSSLOT even on one node, so each batch is
 * deleted one UNLINK per slot.
 * @returns how many keys were deleted
 */
export async function flushCacheKeys(client: ScanningClient, prefix: string): Promise<number> {
  let deleted = 0;
  for await (const keys of client.scanIterator({ MATCH: `${prefix}balance:*`, COUNT: 1000 })) {
    const slots = new Map<number, string[]>();
    for (const key of keys) {
      const slot = slots.get(keySlot(key)) ?? [];
      slots.set(keySlot(key), slot);
      slot.push(key);
    }
    const counts = await Promise.all([...slots.values()].map((slot) => client.unlink(slot)));
    deleted += counts.reduce((sum, count) => sum + count, 0);
  }
  return deleted;
}
