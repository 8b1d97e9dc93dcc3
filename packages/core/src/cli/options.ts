/**
 * Parsers of the CLI's option values. Strict on purpose: Number() reads '' and
 * ' ' as 0 (so `--threshold ''` linked every pair into one group), and reads
 * '1e3', '0x10' and ' 5 ' as numbers a person did not write. Only plain decimal
 * digits are accepted.
 */
import { InvalidArgumentError } from 'commander';

const INTEGER = /^[0-9]+$/;
const DECIMAL = /^(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$/;

/** A source given on the command line: NAME=FILE. */
export interface NamedSource {
  readonly name: string;
  readonly path: string;
}

export function sourceArg(value: string, previous: NamedSource[] = []): NamedSource[] {
  const eq = value.indexOf('=');
  if (eq <= 0 || eq === value.length - 1) throw new InvalidArgumentError('expected NAME=FILE');
  return [...previous, { name: value.slice(0, eq), path: value.slice(eq + 1) }];
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
