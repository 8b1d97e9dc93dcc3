// A DuckDB connection whose every failure is a SqlEngineError: one place that
// keeps DuckDB's messages (which quote the values they could not handle) from
// reaching an error, a log or stderr, whatever statement of ours, or of core's
// streamed read, ran on it.
import { DuckDBAppender, DuckDBPendingResult, DuckDBResult, DuckDBResultReader, type DuckDBConnection } from '@duckdb/node-api';
import { MpiError } from '@mpi/types';
import { SqlEngineError } from '../errors.js';

/**
 * The role of a statement from its first words: the verb and, for a statement
 * on a table, the table's name (an identifier of ours). Never the rest of the
 * text, which may hold literals (a path, a source's name).
 */
export function statementRole(sql: unknown): string {
  if (typeof sql !== 'string') return 'a statement';
  const verb = /^\s*(CREATE(?: OR REPLACE)?(?: TEMP| TEMPORARY)? TABLE|INSERT INTO|UPDATE|DELETE FROM|DROP TABLE(?: IF EXISTS)?|ALTER TABLE)\s+("?)([A-Za-z_]\w*)\2/i.exec(sql);
  if (verb !== null) return `${verb[1].toUpperCase()} ${verb[3]}`;
  const other = /^\s*(SELECT|WITH|COPY|DESCRIBE|SET|PRAGMA|CHECKPOINT)\b/i.exec(sql);
  return other === null ? 'a statement' : `a ${other[1].toUpperCase()} statement`;
}

/** What the statement's failure is thrown as: our own errors as they are, DuckDB's as a SqlEngineError. */
function failure(step: string, error: unknown): MpiError {
  return error instanceof MpiError ? error : new SqlEngineError(step, error);
}

/** Results, pending results, appenders and iterators over results: what a call on the connection hands back that can fail later. */
function canFailLater(value: unknown): value is object {
  if (value instanceof DuckDBResult || value instanceof DuckDBResultReader || value instanceof DuckDBPendingResult || value instanceof DuckDBAppender) return true;
  return typeof value === 'object' && value !== null && typeof (value as AsyncIterator<unknown>).next === 'function';
}

/**
 * `target` with every method's failure (thrown, or a rejected promise) a
 * SqlEngineError of the step `stepOf(method, arguments)`, and what the method
 * returns that can fail later (a streamed result, an appender, an iterator
 * over chunks) guarded the same way, under the same step.
 */
function guard<T extends object>(target: T, stepOf: (method: string | symbol, args: readonly unknown[]) => string): T {
  const protect = (value: unknown, step: string): unknown => (canFailLater(value) ? guard(value, () => step) : value);
  return new Proxy(target, {
    get(object, property) {
      const value: unknown = Reflect.get(object, property, object);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const step = stepOf(property, args);
        let returned: unknown;
        try {
          returned = value.apply(object, args);
        } catch (error) {
          throw failure(step, error);
        }
        if (returned instanceof Promise) {
          return returned.then(
            (resolved: unknown) => protect(resolved, step),
            (error: unknown) => {
              throw failure(step, error);
            },
          );
        }
        return protect(returned, step);
      };
    },
  });
}

/**
 * The connection, every call of which fails with a SqlEngineError naming the
 * statement's role (statementRole; an appender: the table it appends to), its
 * results and appenders too. Statements the executor names itself (runAll)
 * fail with their own step before this one sees them.
 */
export function guardedConnection(connection: DuckDBConnection): DuckDBConnection {
  return guard(connection, (method, [first]) => (method === 'createAppender' ? `appending to ${String(first)}` : statementRole(first)));
}
