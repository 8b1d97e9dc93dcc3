// What comparing strings by characters costs DuckDB (dialects.ts, byCharacters):
// the plan's Jaro-Winkler and Levenshtein as the DuckDB dialect renders them,
// against DuckDB's built-ins (which count bytes) on the same pairs, in CPU
// seconds of one DuckDB thread (the fastest of --repeat runs).
// node bench/dist/sql-string-functions.js --csv FILE [--repeat 3]
// Pairs: each record's given name, family name and street address with the
// next record's when sorted by family and given name (similar values, as
// blocking pairs them); "folded" as normalization folds Latin letters (lower
// case, accents stripped: nearly every pair ASCII), "as written" with the
// accents kept (a pair with an accented letter takes the renamed path).
import { cpuUsage } from 'node:process';
import { Command } from 'commander';
import { DUCKDB, DuckDbExecutor, sqlString } from '@mpi/sql';

const opts = new Command()
  .requiredOption('--csv <file>', 'a CSV source with given_name, family_name and street_address columns')
  .option('--repeat <n>', 'runs of each query (the fastest is kept)', Number, 3)
  .parse()
  .opts();

const TESTS: readonly { name: string; builtIn: string; byCharacters: string }[] = [
  { name: 'Jaro-Winkler >= 0.92', builtIn: 'jaro_winkler_similarity(a, b) >= 0.92', byCharacters: `${DUCKDB.functions.jaroWinkler(['a', 'b'])} >= 0.92` },
  { name: 'Levenshtein <= 2', builtIn: 'levenshtein(a, b) <= 2', byCharacters: `${DUCKDB.functions.levenshtein(['a', 'b'])} <= 2` },
];

const executor = await DuckDbExecutor.open({ threads: 1 });
try {
  const c = executor.connection;
  await c.run(`CREATE TABLE source AS SELECT given_name, family_name, street_address FROM read_csv(${sqlString(opts.csv)}, header = true, all_varchar = true)`);
  for (const [variant, fold] of [['folded', (x: string) => `lower(strip_accents(${x}))`], ['as written', (x: string) => `lower(${x})`]] as const) {
    const columns = ['given_name', 'family_name', 'street_address'];
    const pairs = columns.map((column) => `SELECT ${fold(column)} AS a, lead(${fold(column)}) OVER (ORDER BY family_name, given_name, street_address) AS b FROM source`);
    await c.run(`CREATE OR REPLACE TABLE pairs AS SELECT a, b FROM (${pairs.join(' UNION ALL ')}) WHERE a IS NOT NULL AND b IS NOT NULL`);
    const [count, ascii] = await executor.firstRow(`SELECT count(*), count(*) FILTER (WHERE strlen(a) = length(a) AND strlen(b) = length(b)) FROM pairs`);
    process.stdout.write(`${variant}: ${count} pairs, ${ascii} of them ASCII\n`);
    for (const test of TESTS) {
      const measure = async (expr: string) => {
        let fastest = Infinity;
        let held = 0;
        for (let run = 0; run < opts.repeat; run++) {
          const before = cpuUsage();
          held = Number((await executor.firstRow(`SELECT count(*) FILTER (WHERE ${expr}) FROM pairs`))[0]);
          const used = cpuUsage(before);
          fastest = Math.min(fastest, (used.user + used.system) / 1e6);
        }
        return { seconds: fastest, held };
      };
      const builtIn = await measure(test.builtIn);
      const characters = await measure(test.byCharacters);
      process.stdout.write(
        `  ${test.name}: built-in ${builtIn.seconds.toFixed(2)} CPU s (${builtIn.held} pairs hold), by characters ${characters.seconds.toFixed(2)} CPU s (${characters.held} hold): ${(characters.seconds / builtIn.seconds).toFixed(2)}x\n`,
      );
    }
  }
} finally {
  executor.close();
}
