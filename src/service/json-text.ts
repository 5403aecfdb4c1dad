/**
 * JSON text of a `T`, rendered once and sent many times: a cached list is kept as the text the
 * API answers, so a hit neither parses nor serializes it (README, Performance). The type
 * remembers what the text holds, so a route answering it stays typed against its schema.
 */
export type JsonText<T> = string & { readonly jsonOf?: T };

export function toJsonText<T>(value: T): JsonText<T> {
  return JSON.stringify(value) as JsonText<T>;
}
