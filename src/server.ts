/**
 * `npm start`: brings the database up (embedded unless DATABASE_URL is set), applies pending
 * migrations, and keeps it up until Ctrl-C or SIGTERM, then stops what it started.
 */
import { openDatabaseServer } from './db/database-server.js';
import { migrate } from './db/migrations.js';

const server = await openDatabaseServer();
const stop = async (signal: NodeJS.Signals) => {
  console.log(`${signal}: stopping`);
  await server.stop();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);

try {
  const applied = await migrate(server.url, 'up');
  for (const name of applied) console.log(`applied migration ${name}`);
  console.log(`PostgreSQL ready${server.embedded ? ' (embedded)' : ''}: ${server.url}`);
  console.log('Press Ctrl-C to stop.');
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  await server.stop();
  process.exit(1);
}
