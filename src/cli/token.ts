/**
 * `make token USER=42` / `make token ADMIN=1` (or `npm run -s token -- --user 42 | --admin`):
 * prints a bearer token signed with AUTH_SECRET, or with the development secret in .data/.
 */
import { resolveAuthSecret } from '../auth/secret.js';
import { type Principal, signToken } from '../auth/tokens.js';
import { requireId } from '../service/validate.js';
import { runCli } from './run-cli.js';

const USAGE = 'usage: token.js --user <id> | --admin [--ttl <seconds>]';

runCli(async (args) => {
  const option = (name: string) => {
    const at = args.indexOf(name);
    return at === -1 ? undefined : args[at + 1];
  };
  const user = option('--user');
  const ttl = Number(option('--ttl') ?? 24 * 60 * 60);
  let principal: Principal;
  if (args.includes('--admin')) principal = { userId: user ?? 'admin', role: 'admin' };
  else if (user) principal = { userId: requireId(user, 'user'), role: 'user' };
  else throw new Error(USAGE);
  if (!Number.isInteger(ttl) || ttl <= 0) throw new Error(USAGE);
  console.log(await signToken(principal, resolveAuthSecret().secret, ttl));
});
