/** A setting that is missing or wrong: the message names it and what to set, in one line. */
export class ConfigurationError extends Error {}
