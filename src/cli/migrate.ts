/**
 * `make migrate`, `make migrate-down`, `make migrate-status`: migrations against DATABASE_URL, or
 * the embedded PostgreSQL (started for the command and stopped after, unless already running).
 *
 *   node dist/cli/migrate.js up | down [count] | status
 */
import { openDatabaseServer, redactedUrl } from '../db/database-server.js';
import { migrate, migrationStatus } from '../db/migrations.js';
import { runCli } from './run-cli.js';

const USAGE = 'usage: migrate.js up | down [count] | status';

runCli(async ([command, countArgument]) => {
  if (command !== 'up' && command !== 'down' && command !== 'status') throw new Error(USAGE);
  const count = countArgument === undefined ? undefined : Number(countArgument);
  if (count !== undefined && !(Number.isInteger(count) && count > 0)) throw new Error(USAGE);

  const server = await openDatabaseServer();
  try {
    console.log(`database: ${redactedUrl(server.url)}${server.embedded ? ' (embedded)' : ''}`);
    if (command === 'status') {
      for (const { name, appliedAt } of await migrationStatus(server.url)) {
        console.log(
          `${appliedAt ? `applied ${appliedAt.toISOString()}` : 'pending                          '}  ${name}`,
        );
      }
      return;
    }
    const ran = await migrate(server.url, command, { count });
    const verb = command === 'up' ? 'applied' : 'rolled back';
    console.log(
      ran.length
        ? ran.map((name) => `${verb} ${name}`).join('\n')
        : `nothing to ${command === 'up' ? 'apply' : 'roll back'}`,
    );
  } finally {
    await server.stop();
  }
});
