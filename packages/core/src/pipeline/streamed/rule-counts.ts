// Step 7 of the streamed read: the pairs each blocking rule makes alone,
// counted by GROUP BY over the staged records, for ruleChoice (block.ts) to
// decide on as it does on countRulePairs in process.
import { blockingRuleName, compileBlockingRule, sortedNeighbourhoodPairs, type BlockingRule, type BlockingTable, type KeyTransform } from '@mpi/blocking';
import { appendColumns, valueKey } from '@mpi/sql';
import type { LinkMode } from '@mpi/types';
import type { StagedRecords } from './stage.js';
import { eachChunk, numberOf, type Connection } from './sql.js';

/**
 * Checks rules against the table's columns as compileBlockingRule does (an
 * unknown column, an empty key, an unknown transform or a window below 2 is
 * the same error), on an empty table of those columns.
 */
export function checkRules(rules: readonly BlockingRule[], columns: readonly string[]): void {
  const table = emptyTable(columns);
  for (const rule of rules) compileBlockingRule(table, rule);
}

/** A table of no records with the given columns: rules bound on it are checked and named as on the records (their columns, name), never counted. */
export function emptyTable(columns: readonly string[]): BlockingTable {
  const empty = { dictionary: [''], ids: new Uint32Array(0) };
  return { size: 0, source: new Uint16Array(0), columns: Object.fromEntries(columns.map((column) => [column, empty])) };
}

/** Counts rules' pairs in DuckDB: derived keys per distinct value are computed once per column and transform (valueKey) into `dk_k_t`. */
export class SqlRuleCounter {
  private readonly derived = new Map<string, string>();
  private readonly k: Map<string, number>;

  constructor(
    private readonly connection: Connection,
    /** Another connection, to append on while `connection` streams (see DuckDbExecutor.connect). */
    private readonly writer: Connection,
    staged: StagedRecords,
    private readonly mode: LinkMode,
  ) {
    this.k = new Map(staged.columns.map((column, i) => [column, i]));
  }

  /** The table of a column's derived keys (id, key) for a transform, made on first use. */
  private async keysOf(i: number, transform: KeyTransform): Promise<string> {
    const name = `dk_${i}_${this.derived.size}`;
    const id = `${i}\u0000${transform}`;
    const known = this.derived.get(id);
    if (known !== undefined) return known;
    await this.connection.run(`CREATE OR REPLACE TABLE ${name} (id UINTEGER, "key" VARCHAR)`);
    const appender = await this.writer.createAppender(name);
    await eachChunk(this.connection, `SELECT id, "value" FROM dictv_${i}`, ([ids, values]) => {
      const keys = values.map((value) => valueKey(value as string, transform));
      appendColumns(appender, ids.length, (cell, row) => (cell === 0 ? (ids[row] as number) : keys[row]));
    });
    appender.closeSync();
    this.derived.set(id, name);
    return name;
  }

  /** The pairs a rule makes on its own in the link mode (as countRulePairs counts them). */
  async count(rule: BlockingRule): Promise<number> {
    const joins: string[] = [];
    const present: string[] = [];
    const keys: string[] = [];
    // Key parts as strings where order or another column's values matter (sorted neighbourhood, unordered), else as ids.
    const asText = rule.kind === 'sortedNeighbourhood' || rule.unordered === true;
    for (const [p, part] of rule.keys.entries()) {
      const i = this.k.get(part.column);
      if (i === undefined) throw new RangeError(`rule ${blockingRuleName(rule)}: unknown column ${part.column}`);
      const transform = part.transform ?? 'exact';
      if (transform === 'exact' && !asText) {
        // An exact key is the value itself: its id tells it apart.
        present.push(`r.c${i} IS NOT NULL`);
        keys.push(`r.c${i}`);
      } else if (transform === 'exact') {
        joins.push(`JOIN dictv_${i} k${p} ON k${p}.id = r.c${i}`);
        keys.push(`k${p}."value"`);
      } else {
        joins.push(`JOIN ${await this.keysOf(i, transform)} k${p} ON k${p}.id = r.c${i} AND k${p}."key" IS NOT NULL`);
        keys.push(`k${p}."key"`);
      }
    }
    const records = `FROM rid r ${joins.join(' ')}${present.length > 0 ? ` WHERE ${present.join(' AND ')}` : ''}`;
    const link = this.mode === 'link';
    if (rule.kind === 'sortedNeighbourhood') {
      if (!link) return sortedNeighbourhoodPairs(await numberOf(this.connection, `SELECT count(*) ${records}`), rule.window);
      // Per position, the records within the window after it, less those of its own source.
      const reach = rule.window - 1;
      return numberOf(
        this.connection,
        `SELECT sum(after - same) FROM (SELECT least(m - pos, ${reach}) AS after, count(*) OVER (PARTITION BY "source" ORDER BY pos RANGE BETWEEN 1 FOLLOWING AND ${reach} FOLLOWING) AS same
         FROM (SELECT r."source", row_number() OVER (ORDER BY ${keys.join(', ')}, r."row") AS pos, count(*) OVER () AS m ${records}))`,
      );
    }
    const key = rule.unordered === true ? `list_sort([${keys.join(', ')}])` : keys.join(', ');
    if (!link) return numberOf(this.connection, `SELECT sum(n * (n - 1) // 2) FROM (SELECT count(*) AS n ${records} GROUP BY ${key})`);
    // Cross-source pairs of a block: (s^2 - sum of s_i^2) / 2.
    return numberOf(
      this.connection,
      `SELECT sum((s * s - q) // 2) FROM (SELECT sum(n) AS s, sum(n * n) AS q FROM (SELECT ${rule.unordered === true ? `${key} AS block` : keys.map((kk, j) => `${kk} AS b${j}`).join(', ')}, r."source", count(*) AS n ${records} GROUP BY ALL) GROUP BY ${rule.unordered === true ? 'block' : keys.map((_, j) => `b${j}`).join(', ')})`,
    );
  }

  /** Drops the derived key tables. */
  async close(): Promise<void> {
    for (const name of this.derived.values()) await this.connection.run(`DROP TABLE IF EXISTS ${name}`);
  }
}
