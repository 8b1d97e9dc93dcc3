import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluate, evaluateInDuckDb, type EvaluationReport, type Membership } from '../src/index.js';
import { cliPath, febrl4Truth, runProcess, tempDir, writeIn } from './helpers.js';

/** The report with its B-cubed sums compared to 12 digits (DuckDB sums them in another order); everything else exactly. */
function expectSameReport(actual: EvaluationReport, expected: EvaluationReport): void {
  const { bcubed, ...counts } = actual;
  const { bcubed: expectedBcubed, ...expectedCounts } = expected;
  expect(counts).toEqual(expectedCounts);
  for (const key of ['precision', 'recall', 'f1'] as const) expect(bcubed[key]).toBeCloseTo(expectedBcubed[key], 12);
}

const membership = (sources: readonly string[], labels: readonly string[]) =>
  fc.record({ source: fc.constantFrom(...sources), recordId: fc.integer({ min: 1, max: 40 }).map(String), group: fc.constantFrom(...labels) });

describe('evaluateInDuckDb: the evaluation out of core', () => {
  it('gives the in-process report for any truth and groups: records given twice, records missing from either side, mixed and split groups', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(membership(['a', 'b'], ['p1', 'p2', 'p3', 'p4', 'p5']), { minLength: 1, maxLength: 60 }),
        fc.array(membership(['a', 'b', 'c'], ['G1', 'G2', 'G3', 'G4']), { minLength: 1, maxLength: 60 }),
        async (truth, predicted) => {
          expectSameReport(await evaluateInDuckDb(predicted, truth, { threads: 1 }), evaluate(predicted, truth));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('scores FEBRL 4 the way the in-process evaluation does (10,000 records, every true pair across the two files)', async () => {
    const truth = febrl4Truth();
    // Groups that keep each person but merge every tenth pair of persons and split off one record of every seventh person: errors of both kinds.
    const persons = [...new Set(truth.map((t) => t.group))];
    const merged = new Map(persons.map((person, i) => [person, i % 10 === 1 ? persons[i - 1] : person]));
    const predicted: Membership[] = truth.map((t, i) => ({ ...t, group: i % 7 === 0 && t.source === 'b' ? `alone-${i}` : merged.get(t.group)! }));
    const inProcess = evaluate(predicted, truth);
    expect(inProcess.pairwise.precision).toBeLessThan(1);
    expect(inProcess.pairwise.recall).toBeLessThan(1);
    expectSameReport(await evaluateInDuckDb(predicted, truth), inProcess);
  });

  it('reads the memberships as they are streamed, an async source at a time', async () => {
    const truth = [{ source: 's', recordId: '1', group: 'p' }, { source: 's', recordId: '2', group: 'p' }];
    async function* predicted() {
      yield { source: 's', recordId: '1', group: 'A' };
      yield { source: 's', recordId: '2', group: 'B' };
    }
    const report = await evaluateInDuckDb(predicted(), truth);
    expect(report.pairwise).toMatchObject({ truePositives: 0, predictedPairs: 0, truePairs: 1, recall: 0 });
    expect(report.splitPersons).toBe(1);
  });
});

describe('mpi evaluate --engine duckdb', () => {
  async function mpi(args: string[]) {
    const run = await runProcess(process.execPath, [cliPath, ...args]);
    return { code: run.status, stdout: run.stdout, stderr: run.stderr };
  }

  it('prints the report of the in-process engine, exits 3 when conservation fails, and leaves no scratch folder', async () => {
    const dir = tempDir();
    const scratch = join(dir, 'scratch');
    const truth = writeIn(dir, 't.csv', 'source,record_id,person_id\ns,1,p\ns,2,p\ns,3,q\ns,4,q\n');
    const groups = writeIn(dir, 'g.csv', 'source,record_id,identity_id\ns,1,A\ns,2,A\ns,3,A\ns,3,B\ns,9,C\n');
    const inProcess = await mpi(['evaluate', '--groups', groups, '--truth', truth]);
    const inDuckDb = await mpi(['evaluate', '--groups', groups, '--truth', truth, '--engine', 'duckdb', '--memory-limit', '256MB', '--threads', '1', '--temp-dir', scratch]);
    expect(inDuckDb.stderr).toBe('');
    expect(inDuckDb.code).toBe(3);
    expect(inDuckDb.stdout).toBe(inProcess.stdout);
    expect(inDuckDb.stdout).toMatch(/conservation FAILED \(missing 1, unexpected 1, duplicated 1\)/);
    expect(readdirSync(scratch)).toEqual([]);
  });

  it('refuses a malformed groups file with the in-process wording, naming the row and never a value', async () => {
    const dir = tempDir();
    const truth = writeIn(dir, 't.csv', 'source,record_id,person_id\ns,1,p\n');
    const groups = writeIn(dir, 'g.csv', 'source,record_id,identity_id\ns,1,A\ns,"2,secret\n');
    const run = await mpi(['evaluate', '--groups', groups, '--truth', truth, '--engine', 'duckdb', '--temp-dir', dir]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^mpi: groups file .* is malformed CSV at data row 2/);
    expect(run.stderr).not.toContain('secret');
    expect(readdirSync(dir).sort()).toEqual(['g.csv', 't.csv']);
  });

  it("refuses DuckDB's options without --engine duckdb, and --report-html with it", async () => {
    const dir = tempDir();
    const truth = writeIn(dir, 't.csv', 'source,record_id,person_id\ns,1,p\n');
    const report = join(dir, 'report.html');
    const withoutEngine = await mpi(['evaluate', '--groups', truth, '--truth', truth, '--memory-limit', '1GB']);
    expect(withoutEngine.code).toBe(2);
    expect(withoutEngine.stderr).toMatch(/--memory-limit needs --engine duckdb/);
    const html = await mpi(['evaluate', '--groups', truth, '--truth', truth, '--engine', 'duckdb', '--report-html', report, '--pairs', truth]);
    expect(html.code).toBe(2);
    expect(html.stderr).toMatch(/--engine duckdb does not write --report-html/);
    expect(existsSync(report)).toBe(false);
  });
});
