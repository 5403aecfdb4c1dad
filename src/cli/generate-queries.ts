/**
 * `make gen`: compiles every file in sql/ into typed functions in src/queries/ with pgTyped,
 * against a scratch database on DATABASE_URL's server or the embedded one.
 */
import { generateQueries } from '../db/codegen.js';
import { openDatabaseServer } from '../db/database-server.js';
import { runCli } from './run-cli.js';

runCli(async () => {
  const server = await openDatabaseServer();
  try {
    process.stdout.write(await generateQueries({ serverUrl: server.url }));
  } finally {
    await server.stop();
  }
});
