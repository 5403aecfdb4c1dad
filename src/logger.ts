/**
 * The logging the library needs: pino's call shape (`logger.warn({ ...fields }, 'message')`),
 * so a pino logger fits as is and tests can pass a silent one.
 */
export interface Logger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
};
