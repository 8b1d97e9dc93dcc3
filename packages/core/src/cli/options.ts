/**
 * Parsers of the CLI's option values. Strict on purpose: Number() reads '' and
 * ' ' as 0 (so `--threshold ''` linked every pair into one group), and reads
 * '1e3', '0x10' and ' 5 ' as numbers a person did not write. Only plain decimal
 * digits are accepted.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { MpiError } from '../errors.js';
import type { SourceEncoding, SourceInput } from '../read/source-input.js';

const INTEGER = /^[0-9]+$/;
const DECIMAL = /^(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$/;

/** A source given on the command line: NAME=FILE. */
export interface NamedSource {
  readonly name: string;
  readonly path: string;
}

/** Splits NAME=VALUE, both non-empty, or refuses the argument with `expected`. */
function nameAndValue(argument: string, expected: string): [name: string, value: string] {
  const eq = argument.indexOf('=');
  if (eq <= 0 || eq === argument.length - 1) throw new InvalidArgumentError(`expected ${expected}`);
  return [argument.slice(0, eq), argument.slice(eq + 1)];
}

export function sourceArg(value: string, previous: NamedSource[] = []): NamedSource[] {
  const [name, path] = nameAndValue(value, 'NAME=FILE');
  return [...previous, { name, path }];
}

/** A source's text encoding given on the command line: NAME=ENCODING (e.g. ehr=latin1). */
export interface NamedEncoding {
  readonly name: string;
  readonly encoding: string;
}

export function encodingArg(value: string, previous: NamedEncoding[] = []): NamedEncoding[] {
  const [name, encoding] = nameAndValue(value, 'NAME=ENCODING, e.g. ehr=latin1');
  return [...previous, { name, encoding }];
}

/** A source's field delimiter given on the command line: NAME=CHAR (e.g. ehr=; or ehr=tab). */
export interface NamedDelimiter {
  readonly name: string;
  readonly delimiter: string;
}

/** Words for delimiters a shell makes awkward to type. */
const DELIMITER_WORDS: Readonly<Record<string, string>> = { tab: '\t', '\\t': '\t', comma: ',', semicolon: ';', pipe: '|' };

export function delimiterArg(value: string, previous: NamedDelimiter[] = []): NamedDelimiter[] {
  const [name, given] = nameAndValue(value, 'NAME=CHAR, e.g. ehr=";" or ehr=tab');
  const delimiter = Object.prototype.hasOwnProperty.call(DELIMITER_WORDS, given.toLowerCase()) ? DELIMITER_WORDS[given.toLowerCase()] : given;
  if (delimiter.length !== 1) throw new InvalidArgumentError('expected one character (or tab, comma, semicolon, pipe) after NAME=');
  return [...previous, { name, delimiter }];
}

/** Per-source reading options from the command line: `--encoding` and `--delimiter`. */
export interface SourceOptions {
  readonly encoding?: readonly NamedEncoding[];
  readonly delimiter?: readonly NamedDelimiter[];
}

/** Refuses a per-source option that names a source `--source` does not give. */
function checkNamed(option: string, named: readonly { name: string }[], sources: readonly NamedSource[]): void {
  for (const { name } of named) {
    if (!sources.some((source) => source.name === name)) throw new MpiError('BAD_ARGS', `${option} names a source that --source does not give: ${name}`);
  }
}

/**
 * The sources with the encodings and delimiters `--encoding` and `--delimiter` give
 * them. Naming a source not given is a usage error (a typo would otherwise read
 * the file as UTF-8 and fail on its first Latin-1 byte, far from the cause); the
 * reader checks the encoding's name and the delimiter.
 */
export function withSourceOptions(sources: readonly NamedSource[], options: SourceOptions = {}): SourceInput[] {
  const { encoding = [], delimiter = [] } = options;
  checkNamed('--encoding', encoding, sources);
  checkNamed('--delimiter', delimiter, sources);
  return sources.map((source) => {
    const givenEncoding = encoding.find((e) => e.name === source.name)?.encoding;
    const givenDelimiter = delimiter.find((d) => d.name === source.name)?.delimiter;
    return {
      ...source,
      ...(givenEncoding === undefined ? {} : { encoding: givenEncoding as SourceEncoding }),
      ...(givenDelimiter === undefined ? {} : { delimiter: givenDelimiter }),
    };
  });
}

/** The sources with the encodings `--encoding` gives them (for commands without `--delimiter`); see {@link withSourceOptions}. */
export function withEncodings(sources: readonly NamedSource[], encodings: readonly NamedEncoding[] = []): SourceInput[] {
  return withSourceOptions(sources, { encoding: encodings });
}

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!INTEGER.test(value) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer in plain digits');
  return n;
}

export function probability(value: string): number {
  const n = Number(value);
  if (!DECIMAL.test(value) || n > 1) throw new InvalidArgumentError('expected a probability in [0, 1] in plain decimal digits');
  return n;
}

/** Adds the options that name and describe the sources: --source, --encoding, --delimiter. */
export function addSourceOptions(command: Command): Command {
  return command
    .requiredOption('--source <NAME=FILE>', 'a named source (CSV or NDJSON); repeat for several', sourceArg)
    .option('--encoding <NAME=ENCODING>', "a source's text encoding: utf-8 (default), latin1 or windows-1252; repeat for several", encodingArg)
    .option('--delimiter <NAME=CHAR>', "a CSV source's field delimiter, e.g. ehr=';' or ehr=tab (default: the one of , ; tab | its header line shows); repeat for several", delimiterArg);
}

/** The --mode option: which pairs are compared. */
export function modeOption(description: string): Option {
  return new Option('--mode <mode>', description).choices(['dedupe', 'link', 'link_and_dedupe']);
}
