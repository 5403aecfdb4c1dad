import { releaseEmbeddedServers } from '../db/embedded-postgres.js';

const SIGNAL_EXIT_CODES = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 } as const;

/**
 * Runs a command-line entry point: an error is printed as one line and the exit code says
 * whether it worked. On SIGINT, SIGTERM or SIGHUP, at any moment, the command lets go of the
 * embedded PostgreSQL (stopping it if no other process uses it), then exits.
 */
export function runCli(main: (args: string[]) => Promise<void>): void {
  let interrupted: Promise<void> | undefined;
  for (const [signal, code] of Object.entries(SIGNAL_EXIT_CODES)) {
    process.once(signal, () => {
      interrupted ??= releaseEmbeddedServers().finally(() => process.exit(code));
    });
  }
  // Whatever main says once interrupted is a consequence of the signal: the signal's exit wins.
  const finish = (code: number) =>
    (interrupted ?? Promise.resolve()).then(() => process.exit(code));
  main(process.argv.slice(2)).then(
    () => finish(0),
    (error: unknown) => {
      if (!interrupted)
        console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
      return finish(1);
    },
  );
}
