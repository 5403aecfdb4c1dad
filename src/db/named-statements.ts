import { createHash } from 'node:crypto';
import type { IDatabaseConnection } from '@pgtyped/runtime';
import type pg from 'pg';

const names = new Map<string, string>();

/**
 * pgTyped sends every query unnamed, so PostgreSQL parses and plans it on every call. Giving
 * each query text a name makes pg prepare it once per connection and reuse it: measured by
 * `make bench`. After five runs PostgreSQL may reuse a generic plan; `make explain` checks
 * that those plans use the declared indexes too. (Behind PgBouncer in transaction mode,
 * turn this off with DATABASE_NAMED_STATEMENTS=0.)
 */
export function withNamedStatements(db: pg.Pool | pg.PoolClient): IDatabaseConnection {
  return {
    query: (text, values) => {
      let name = names.get(text);
      if (name === undefined) {
        name = `q_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
        names.set(text, name);
      }
      // rowCount is null only for commands that report none; pgTyped wants a number.
      return db.query({ name, text, values }).then((result) => ({
        rows: result.rows,
        rowCount: result.rowCount ?? 0,
      }));
    },
  };
}
