import { DuplicateBalanceError } from './errors.js';
import type { BalanceService } from './service/balance-service.js';

/** The user whose balances the README's curl lines show. */
export const DEMO_USER_ID = '42';

/**
 * A few balances for a first look, written only into an empty table, through the service like
 * any other write.
 */
export async function addDemoDataIfEmpty(service: BalanceService): Promise<boolean> {
  if ((await service.getAll(1, 0)).length > 0) return false;
  const address = '0x3f5CE5FBFe3E9af3971dD833D26bA9b5C936f0bE';
  try {
    await service.create({
      userId: DEMO_USER_ID,
      tokenId: '1',
      amount: '12.5',
      usdValue: '30.25',
      address,
    });
  } catch (error) {
    // Two first starts at once both found the table empty. Every start writes this row first,
    // and (user, token) is unique: whoever wrote it adds the rest, the other adds nothing.
    if (error instanceof DuplicateBalanceError) return false;
    throw error;
  }
  await service.create({
    userId: DEMO_USER_ID,
    tokenId: '2',
    amount: '0.000000000000000001',
    usdValue: '0',
  });
  await service.create({ userId: '7', tokenId: '1', amount: '1000', usdValue: '2420' });
  return true;
}
