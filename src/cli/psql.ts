/**
 * `make psql`: a psql session on the database the project uses (DATABASE_URL, or the embedded
 * PostgreSQL, kept up for the session), where psql is installed.
 */
import { spawn, spawnSync } from 'node:child_process';
import { openDatabaseServer, redactedUrl } from '../db/database-server.js';
import { runCli } from './run-cli.js';

runCli(async (args) => {
  const server = await openDatabaseServer();
  try {
    if (spawnSync('psql', ['--version'], { stdio: 'ignore' }).status !== 0) {
      throw new Error(
        `psql is not installed; connect with any client to ${redactedUrl(server.url)}${server.embedded ? ' (password in the .password file beside the data folder)' : ''}`,
      );
    }
    // The password goes through the environment: a command line is visible to every user (ps).
    const url = new URL(server.url);
    const password = decodeURIComponent(url.password);
    url.password = '';
    // Ctrl-C belongs to psql (it cancels the running query), not to this wrapper.
    process.removeAllListeners('SIGINT');
    process.on('SIGINT', () => {});
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn('psql', [url.toString(), ...args], {
        stdio: 'inherit',
        env: password ? { ...process.env, PGPASSWORD: password } : process.env,
      });
      child.on('error', reject);
      child.on('exit', resolve);
    });
    if (code !== 0) throw new Error(`psql exited with ${code}`);
  } finally {
    await server.stop();
  }
});
