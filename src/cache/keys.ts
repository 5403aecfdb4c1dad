/**
 * Cache keys, exactly the original Balance model's, so its runbook works unchanged
 * (`redis-cli ttl balance:user:123`, `redis-cli --scan --pattern 'balance:*'`).
 *
 * Each value key is guarded by a generation key and the epoch (see generation-guard.ts): `balance:<id>` by
 * the balance's, and every per-user key by the user's. A write replaces both generations.
 */
export const cacheKeys = {
  byId: (id: string) => `balance:${id}`,
  byUser: (userId: string) => `balance:user:${userId}`,
  byUserAndToken: (userId: string, tokenId: string) => `balance:user:${userId}:token:${tokenId}`,
  totalByUser: (userId: string) => `balance:user:${userId}:total`,
  balanceGeneration: (id: string) => `balance:gen:${id}`,
  userGeneration: (userId: string) => `balance:gen:user:${userId}`,
  /** One key for the whole cache: replacing it forgets every value (generation-guard.ts). */
  epoch: 'balance:epoch',
};

/**
 * What a write to one balance makes stale: the original model's "user + balance cache". Without a user
 * (a write whose outcome is unknown, on a balance that can no longer be looked up), only the
 * balance's own keys; without an id (a create that failed), only the user's.
 */
export function keysWrittenBy(balance: { id?: string; userId?: string; tokenId?: string }) {
  const values: string[] = [];
  const generations: string[] = [];
  if (balance.id !== undefined) {
    values.push(cacheKeys.byId(balance.id));
    generations.push(cacheKeys.balanceGeneration(balance.id));
  }
  if (balance.userId !== undefined) {
    values.push(cacheKeys.byUser(balance.userId), cacheKeys.totalByUser(balance.userId));
    if (balance.tokenId !== undefined)
      values.push(cacheKeys.byUserAndToken(balance.userId, balance.tokenId));
    generations.push(cacheKeys.userGeneration(balance.userId));
  }
  return { values, generations };
}
