import { execFileSync } from 'node:child_process';
import { projectRoot } from '../../src/db/database-server.js';

/**
 * Runs the compiled server (`npm start` once built) with `env`, expecting it to refuse to start:
 * its exit code and what it printed, line by line.
 */
export function refusedStart(env: NodeJS.ProcessEnv): { status?: number; lines: string[] } {
  try {
    execFileSync(process.execPath, ['dist/server.js'], { cwd: projectRoot, env, stdio: 'pipe' });
    return { status: 0, lines: [] };
  } catch (error) {
    const failure = error as { status?: number; stdout?: Buffer };
    return { status: failure.status, lines: String(failure.stdout).trim().split('\n') };
  }
}
