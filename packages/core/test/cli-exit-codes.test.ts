import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as blocking from '@mpi/blocking';
import * as scoring from '@mpi/scoring';
import * as types from '@mpi/types';
import { InvalidArgumentError } from 'commander';
import { positiveInt, probability } from '../src/cli/options.js';
import { errorLine, EXIT, exitCodeFor } from '../src/cli/exit-codes.js';
import * as core from '../src/index.js';
import { cliPath, repoRoot, runProcess, tempDir, writeIn } from './helpers.js';

const population = resolve(repoRoot, 'fixtures/population');
const populationArgs = [
  '--settings', join(population, 'settings.json'),
  ...['ehr', 'lab', 'payer', 'clinic'].flatMap((name) => ['--source', `${name}=${join(population, `${name}.csv`)}`]),
];

/**
 * Runs the real CLI; `node` holds node options (e.g. a preload), `shell` a bash
 * prefix (e.g. a ulimit). Asynchronous, so several runs overlap their start-up.
 */
async function mpi(args: string[], { node = [] as string[], shell = '' } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const { status: code, stdout, stderr } = shell
    ? await runProcess('bash', ['-c', `${shell} && exec "$0" "$@"`, process.execPath, ...node, cliPath, ...args])
    : await runProcess(process.execPath, [...node, cliPath, ...args]);
  return { code, stdout, stderr };
}

describe('mpi exit codes', async () => {
  it('0: a reader that closes stdout early (| head) ends the run quietly, with every output file written', async () => {
    const dir = tempDir();
    const out = join(dir, 'groups.csv');
    const child = spawn(process.execPath, [cliPath, 'link', ...populationArgs, '--out', out, '--report', '--quiet']);
    // The read end closes at once: the summary and report written at the end meet a closed pipe.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(EXIT.ok);
    expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(8432);
  });

  it('0: success, and --version prints the package version on stdout', async () => {
    const version = JSON.parse(readFileSync(resolve(repoRoot, 'packages/core/package.json'), 'utf8')).version;
    for (const run of await Promise.all([mpi(['--version']), mpi(['-V'])])) {
      expect(run.code).toBe(EXIT.ok);
      expect(run.stdout.trim()).toBe(version);
      expect(run.stderr).toBe('');
    }
    const help = await mpi(['link', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--spreadsheet-safe/);
  });

  it('2: usage errors from commander (unknown option, missing option, no command) go to stderr, not 1', async () => {
    const cases = [['link', '--no-such-option'], ['link'], [], ['no-such-command'], ['evaluate', '--groups', 'g.csv']];
    const runs = await Promise.all(cases.map((args) => mpi(args)));
    for (const [k, args] of cases.entries()) {
      const run = runs[k];
      expect(run.code, args.join(' ')).toBe(EXIT.usage);
      expect(run.stdout, args.join(' ')).toBe('');
      expect(run.stderr.length, args.join(' ')).toBeGreaterThan(0);
    }
    expect((await mpi(['link', '--out', 'x'])).stderr).toMatch(/^mpi: required option '--source <NAME=FILE>' not specified/);
  });

  it('2: an empty, padded or non-decimal number is a usage error, never 0 (--threshold "" linked everything)', async () => {
    const dir = tempDir();
    const out = join(dir, 'groups.csv');
    const bad: [string, string][] = [['--threshold', ''], ['--threshold', ' 0.5 '], ['--threads', ''], ['--max-pairs', '1e3']];
    // With the real inputs: a bad value stops the run before anything is read, rather than being taken as 0 or 1000.
    const runs = await Promise.all(bad.map(([option, value]) => mpi(['link', ...populationArgs, '--out', out, '--quiet', option, value])));
    for (const [k, [option, value]] of bad.entries()) {
      const run = runs[k];
      expect(run.code, `${option} '${value}'`).toBe(EXIT.usage);
      expect(run.stderr, `${option} '${value}'`).toContain(`option '${option}`);
    }
    expect(readdirSync(dir)).toEqual([]);
  });

  it('every numeric option accepts plain decimal digits only', () => {
    for (const value of ['', ' ', ' 0.5 ', '5e-1', '0x1', '1.5', '-0', '+0.5', 'Infinity', 'NaN', '.', '1/2']) {
      expect(() => probability(value), `'${value}'`).toThrow(InvalidArgumentError);
    }
    for (const [value, n] of [['0', 0], ['1', 1], ['0.5', 0.5], ['.25', 0.25], ['1.0', 1], ['0.', 0]] as const) expect(probability(value)).toBe(n);
    for (const value of ['', ' ', ' 2 ', '1e0', '1e3', '0', '2.0', '+2', '-1', '0x10', '99999999999999999999', '2 ']) {
      expect(() => positiveInt(value), `'${value}'`).toThrow(InvalidArgumentError);
    }
    for (const [value, n] of [['1', 1], ['2', 2], ['1000', 1000], ['007', 7]] as const) expect(positiveInt(value)).toBe(n);
  });

  it('2: settings and input errors; nothing is written', async () => {
    const dir = tempDir();
    const out = join(dir, 'groups.csv');
    const settings = writeIn(dir, 'settings.json', JSON.stringify({ recordId: 'id', fields: { a: 'given_name' } }));
    const source = writeIn(dir, 'a.csv', 'id,a\n1,x\n');
    const badKind = writeIn(dir, 'kind.json', JSON.stringify({ recordId: 'id', fields: { a: 'shoe_size' } }));
    const [kind, missing] = await Promise.all([
      mpi(['link', '--settings', badKind, '--source', `s=${source}`, '--out', out]),
      mpi(['link', '--settings', settings, '--source', `ehr=${join(dir, 'none.csv')}`, '--out', out, '--quiet']),
    ]);
    expect(kind.code).toBe(EXIT.usage);
    expect(kind.stderr).toMatch(/^mpi: .*unknown field kind/);
    expect(missing.code).toBe(EXIT.usage);
    expect(missing.stderr).toMatch(/^mpi: source "ehr"/);
    expect(readdirSync(dir).sort()).toEqual(['a.csv', 'kind.json', 'settings.json']);
  });

  it('3: evaluate found records missing, unexpected or duplicated (conservation failed)', async () => {
    const dir = tempDir();
    const truth = writeIn(dir, 't.csv', 'source,record_id,person_id\ns,1,p\ns,2,p\n');
    const cases = {
      missing: 'source,record_id,identity_id\ns,1,A\n',
      unexpected: 'source,record_id,identity_id\ns,1,A\ns,2,A\ns,3,B\n',
      duplicated: 'source,record_id,identity_id\ns,1,A\ns,2,A\ns,2,B\n',
    };
    const runs = await Promise.all(Object.entries(cases).map(([what, groups]) => mpi(['evaluate', '--groups', writeIn(dir, `${what}.csv`, groups), '--truth', truth])));
    for (const [k, what] of Object.keys(cases).entries()) {
      const run = runs[k];
      expect(run.code, what).toBe(EXIT.conservation);
      expect(run.stdout, what).toMatch(new RegExp(`conservation FAILED .*${what} 1`));
    }
    expect((await mpi(['evaluate', '--groups', writeIn(dir, 'ok.csv', 'source,record_id,identity_id\ns,1,A\ns,2,A\n'), '--truth', truth])).code).toBe(EXIT.ok);
  });

  it('70: an internal error (a bug) is reported as one, with its own code', async () => {
    // A bug cannot be provoked through the real code on purpose, so one is injected
    // into the real process: a preload makes JSON.stringify throw on the report.
    const dir = tempDir();
    const bug = writeIn(
      dir,
      'bug.mjs',
      `const stringify = JSON.stringify;
JSON.stringify = (value, ...rest) => { if (value && typeof value === 'object' && 'conservation' in value) throw new TypeError('injected'); return stringify(value, ...rest); };`,
    );
    const groups = writeIn(dir, 'g.csv', 'source,record_id,identity_id\ns,1,A\n');
    const truth = writeIn(dir, 't.csv', 'source,record_id,person_id\ns,1,p\n');
    const run = await mpi(['evaluate', '--groups', groups, '--truth', truth, '--json'], { node: ['--import', bug] });
    expect(run.code).toBe(EXIT.internal);
    expect(run.stderr).toBe('mpi: internal error: injected\n');
    expect(run.stdout).toBe('');
  });

  it('74: an output cannot be written (the disk refuses it); the previous outputs are left as they were', async () => {
    const dir = tempDir();
    const previous = 'previous run\n';
    const out = writeIn(dir, 'groups.csv', previous);
    const pairs = writeIn(dir, 'pairs.csv', previous);
    const run = await mpi(['link', ...populationArgs, '--out', out, '--pairs', pairs, '--all-pairs', '--quiet', '--threads', '1'], { shell: 'ulimit -f 64' });
    expect(run.code).toBe(EXIT.output);
    expect(run.stderr).toBe('mpi: --out: writing failed (EFBIG); the previous file is left as it was\n');
    expect(readFileSync(out, 'utf8')).toBe(previous);
    expect(readFileSync(pairs, 'utf8')).toBe(previous);
    expect(readdirSync(dir).sort()).toEqual(['groups.csv', 'pairs.csv']);
  });

  describe('an error class decides its exit code through MpiError and its code', () => {
    // One instance of every error class the packages export: the test below
    // fails when a class is exported without one here.
    const inputFaults: Error[] = [
      new core.MpiError('SOME_CODE', 'a problem with what was given'),
      new core.SettingsError('/fields/a', 'unknown field kind'),
      new core.InvalidSettingsError([{ path: '/fields/a', code: 'UNKNOWN_VALUE', message: 'unknown field kind' }]),
      new core.SourceError('MALFORMED_ROW', { source: 's', row: 1 }, 'bad quoting'),
      new core.SourceUnreadableError('s', 'file not found'),
      new core.MissingColumnError('s', 'dob'),
      new core.EmptySourceError('s'),
      new core.MalformedRowError('s', 3, 'too many fields'),
      new core.DuplicateRecordIdError('s', 4, 'id', 2),
      new core.InvalidValueError('s', 5, 'dob', 'not a date'),
      new core.DuplicateColumnError('s', 'dob', [2, 5]),
      new core.EncodingError('s', 6, 'last', 'utf8', 'not UTF-8'),
      new blocking.PairBudgetExceededError('dob', 10, 5, false),
      new blocking.InvalidBlockingRuleError('dob', 'no key parts'),
      new blocking.UnknownBlockingColumnError('dob', 'birth'),
      new scoring.InvalidModelError('not valid JSON'),
      new scoring.InvalidComparisonError('dob', 'no such column'),
    ];
    // Not the input's fault: the output could not be written (74); memory ran out
    // or a worker died, which the same input may pass without (70, docs/exit-codes.md).
    const otherFaults: [Error, number][] = [
      [new core.OutputWriteError('--out', 'EFBIG', undefined), EXIT.output],
      [new core.OutOfMemoryError({ stage: 'score', records: 10, pairs: 20 }, new RangeError('Array buffer allocation failed')), EXIT.internal],
      [new core.WorkerFailedError({ stage: 'compare' }, new Error('worker exited with code: 1')), EXIT.internal],
    ];
    const examples = [...inputFaults, ...otherFaults.map(([error]) => error)];

    it('every error class that @mpi/core, @mpi/blocking, @mpi/scoring and @mpi/types export extends MpiError and has an example here', () => {
      const exported = new Set(
        ([core, blocking, scoring, types].flatMap((module) => Object.values(module)) as unknown[]).filter(
          (value): value is new (...args: never[]) => Error => typeof value === 'function' && (value === Error || value.prototype instanceof Error),
        ),
      );
      expect(exported.size).toBeGreaterThanOrEqual(20);
      const covered = new Set(examples.map((error) => error.constructor));
      for (const Class of exported) {
        expect(covered.has(Class), `${Class.name} has no example`).toBe(true);
        expect(Class === types.MpiError || Class.prototype instanceof types.MpiError, Class.name).toBe(true);
      }
      expect(core.MpiError).toBe(types.MpiError);
    });

    it('every error of the input, settings or arguments exits 2 and is printed as its own message', () => {
      for (const error of inputFaults) {
        expect(error, error.constructor.name).toBeInstanceOf(types.MpiError);
        expect(exitCodeFor(error), error.constructor.name).toBe(EXIT.usage);
        expect(errorLine(error)).toBe(`mpi: ${error.message}\n`);
      }
    });

    it('an output that cannot be written exits 74; memory that ran out or a worker that died exits 70, not 2', () => {
      for (const [error, code] of otherFaults) {
        expect(exitCodeFor(error), error.constructor.name).toBe(code);
        // Not called a bug: the message says what happened and what to try.
        expect(errorLine(error)).toBe(`mpi: ${error.message}\n`);
      }
      expect(errorLine(new TypeError('x is undefined'))).toBe('mpi: internal error: x is undefined\n');
      expect(exitCodeFor(new TypeError('x is undefined'))).toBe(EXIT.internal);
    });

    it('each kind of error has its own stable code', () => {
      const codes = new Map<string, string>();
      for (const error of examples) {
        const { code } = error as types.MpiError;
        expect(code, error.constructor.name).toMatch(/^[A-Z][A-Z_]+$/);
        // Subclasses of SourceError are told apart by code; the base classes themselves take one.
        if (error.constructor === core.SourceError || error.constructor === core.MpiError) continue;
        const other = codes.get(code);
        if (other !== undefined && other !== error.constructor.name) {
          // SettingsError and InvalidSettingsError share SETTINGS: the second is the first with every issue listed.
          expect([other, error.constructor.name].sort()).toEqual(['InvalidSettingsError', 'SettingsError']);
        }
        codes.set(code, error.constructor.name);
      }
    });
  });
});
