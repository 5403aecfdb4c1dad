/**
 * `make gen`: compiles every file in sql/ into typed functions in src/queries/ with pgTyped.
 *
 * pgTyped reads the schema from a live database, so this migrates a scratch database (on
 * DATABASE_URL's server or the embedded one) and drops it after. pgTyped's CLI can exit 0 on a
 * broken query and keep the stale file (pgtyped issue #574), so any error line it prints fails
 * the command. The output folder is emptied first, so a deleted SQL file leaves no twin behind.
 */
import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { openDatabaseServer, projectRoot } from '../db/database-server.js';
import { migrate } from '../db/migrations.js';
import { createScratchDatabase } from '../db/scratch-database.js';
import { runCli } from './run-cli.js';

const ERROR_LINE = /error/i;

runCli(async () => {
  const server = await openDatabaseServer();
  try {
    const scratch = await createScratchDatabase(server.url, 'pgtyped');
    try {
      await migrate(scratch.url, 'up');
      await rm(join(projectRoot, 'src', 'queries'), { recursive: true, force: true });
      const output = await runPgTyped(scratch.url);
      process.stdout.write(output);
      const errors = output.split('\n').filter((line) => ERROR_LINE.test(line));
      if (errors.length > 0) throw new Error(`pgTyped reported errors:\n${errors.join('\n')}`);
    } finally {
      await scratch.drop();
    }
  } finally {
    await server.stop();
  }
});

function runPgTyped(databaseUrl: string): Promise<string> {
  const cli = join(projectRoot, 'node_modules', '@pgtyped', 'cli', 'lib', 'index.js');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, '--config', 'pgtyped.config.json'], {
      cwd: projectRoot,
      env: { ...process.env, DATABASE_URL: databaseUrl },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(output) : reject(new Error(`pgTyped exited with ${code}:\n${output}`)),
    );
  });
}
