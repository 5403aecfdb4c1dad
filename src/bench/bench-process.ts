/**
 * The bench's server processes: dist/<script> (the API, or a lean reference) started on a free
 * port, waited for, and stopped. Its pid is given so a run can count the CPU the server used.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../db/database-server.js';
import { freePort } from '../net/free-port.js';

/** Starts dist/<script> on a free port and waits until it answers /healthz. */
export async function startProcess(
  [script, ...args]: string[],
  environment: (port: number) => NodeJS.ProcessEnv,
) {
  const port = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    [join(projectRoot, 'dist', script as string), ...args],
    {
      cwd: projectRoot,
      env: { ...process.env, ...environment(port), PORT: String(port) },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  for (let attempt = 0; ; attempt++) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (attempt > 300 || child.exitCode !== null) throw new Error('the server did not start');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    port,
    pid: child.pid as number,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
