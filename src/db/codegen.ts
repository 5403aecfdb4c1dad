import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { projectRoot } from './database-server.js';
import { migrate } from './migrations.js';
import { createScratchDatabase } from './scratch-database.js';

const PGTYPED_CLI = join(projectRoot, 'node_modules', '@pgtyped', 'cli', 'lib', 'index.js');
const ERROR_LINE = /error/i;
/** pgTyped's progress lines, left out of an error report. */
const ROUTINE_LINE = /^(Using a pool|Processing|Saved|Skipped) /;

export class CodegenError extends Error {}

/**
 * Compiles SQL files into typed query functions with pgTyped, as `pgtyped.config.json` in `cwd`
 * says. pgTyped reads the schema from a live database, so this migrates a scratch database on
 * the server at `serverUrl` and drops it after. `outputDir` is emptied first, so a deleted SQL
 * file leaves no twin behind. Returns pgTyped's output.
 *
 * @throws CodegenError with pgTyped's report when its output has any error line: its CLI can exit
 *   0 on a broken query and keep the stale file (pgtyped issue #574), so the output is checked,
 *   not only the exit code.
 */
export async function generateQueries(options: {
  serverUrl: string;
  cwd?: string;
  outputDir?: string;
}): Promise<string> {
  const cwd = options.cwd ?? projectRoot;
  const scratch = await createScratchDatabase(options.serverUrl, 'pgtyped');
  try {
    await migrate(scratch.url, 'up');
    await rm(join(cwd, options.outputDir ?? join('src', 'queries')), {
      recursive: true,
      force: true,
    });
    const output = await runPgTyped(scratch.url, cwd);
    if (ERROR_LINE.test(output)) {
      const report = output.split('\n').filter((line) => !ROUTINE_LINE.test(line));
      throw new CodegenError(`pgTyped reported errors:\n${report.join('\n')}`);
    }
    return output;
  } finally {
    await scratch.drop();
  }
}

function runPgTyped(databaseUrl: string, cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [PGTYPED_CLI, '--config', 'pgtyped.config.json'], {
      cwd,
      env: { ...process.env, DATABASE_URL: databaseUrl },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve(output)
        : reject(new CodegenError(`pgTyped exited with ${code}:\n${output}`)),
    );
  });
}
