/**
 * @mpi/types: the types and the error base class shared by @mpi/blocking,
 * @mpi/scoring and @mpi/core. It depends on nothing, so the two leaves can
 * share them without importing core or each other.
 *
 * @packageDocumentation
 */
export type { EncodedColumn, EncodedTable, LinkMode, PairChunk } from './types.js';
export { MpiError } from './errors.js';
