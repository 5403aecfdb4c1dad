/**
 * What the embedded-PostgreSQL tests look at from outside: which postmasters run on a data
 * folder (read from /proc, as an operator's `ps` would), and a copy of the project in a folder
 * of the test's choosing, as a newcomer's clone would be.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../../src/db/database-server.js';

/** Pids of the postgres processes whose command line names `-D dataDir`. */
export function postgresProcessesOn(dataDir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let args: string[];
    try {
      args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue; // ended while we looked
    }
    const at = args.indexOf('-D');
    if (at >= 0 && args[at + 1] === dataDir && args[0]?.endsWith('/postgres'))
      pids.push(Number(entry));
  }
  return pids;
}

/** Waits until no postgres process runs on `dataDir`; false if some still do after `ms`. */
export async function noPostgresLeftOn(dataDir: string, ms = 15_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (postgresProcessesOn(dataDir).length > 0) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

/**
 * A copy of the project (its compiled dist/ included, node_modules hard-linked) in a new folder
 * under the temp directory, made by mkdtemp: mode 0700 like a home folder, or `mode` if given.
 */
export function copyProject(mode = 0o700): string {
  const dir = mkdtempSync(join(tmpdir(), 'bs-newcomer-'));
  chmodSync(dir, mode);
  for (const part of [
    'package.json',
    'tsconfig.json',
    'dist',
    'migrations',
    'src',
    'test',
    'sql',
  ]) {
    cpSync(join(projectRoot, part), join(dir, part), { recursive: true });
  }
  // Hard links: a copy of 335 MB in a moment (a real copy across file systems). Its folders are
  // new, so they are only as reachable as the copy's own folder.
  const modules = [join(projectRoot, 'node_modules'), join(dir, 'node_modules')];
  try {
    execFileSync('cp', ['-al', ...modules], { stdio: 'ignore' });
  } catch {
    rmSync(modules[1] as string, { recursive: true, force: true });
    execFileSync('cp', ['-a', ...modules]);
  }
  return dir;
}
