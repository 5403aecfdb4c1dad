import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';

/**
 * The embedded server's superuser password: made once, at random, into `file` with mode 0600,
 * created exclusively so that two first starts at once agree on one password. Never logged.
 */
export async function readOrCreatePassword(file: string): Promise<string> {
  try {
    await writeFile(file, `${randomBytes(24).toString('base64url')}\n`, {
      mode: 0o600,
      flag: 'wx',
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  // A concurrent first start may have created the file and not written it yet.
  for (let attempt = 0; attempt < 50; attempt++) {
    const password = (await readFile(file, 'utf8')).trim();
    if (password) return password;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`${file} is empty: delete it and the data folder beside it`);
}
