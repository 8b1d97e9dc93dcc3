// A served index for the tests: a generated population written as FHIR NDJSON,
// three of its sources indexed, the fourth (clinic) kept back as queries, and
// the server listening on a loopback port with a JSONL audit log and a log
// captured in memory.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { fhirSettings } from '@mpi/core';
import { createIndex, type IdentityIndex } from '@mpi/index';
import { processOutput, tempDir } from '../../core/test/helpers.js';
import { createFhirServer, JsonlAuditLog, type ApiToken, type FhirServerOptions } from '../src/index.js';

export const repoRoot = resolve(import.meta.dirname, '../../..');
export const TOKEN: ApiToken = { name: 'registration-desk', token: 'test-token-0123456789abcdef' };
export const INDEXED = ['ehr', 'lab', 'payer'] as const;

export type Resource = Record<string, any>;

/** Generates `people` people as FHIR NDJSON (the fixtures CLI) and returns the directory. */
export async function fhirPopulation(people: number, seed: number): Promise<string> {
  const dir = tempDir('mpi-server-test-');
  await processOutput(process.execPath, [resolve(repoRoot, 'fixtures/dist/cli.js'), 'generate', '--people', String(people), '--seed', String(seed), '--out', dir, '--format', 'fhir']);
  return dir;
}

/** The Patient resources of a source file. */
export const patients = (dir: string, source: string): Resource[] =>
  readFileSync(join(dir, `${source}.ndjson`), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Resource);

/** truth.csv as "source:record id" -> person id. */
export function truth(dir: string): Map<string, string> {
  const rows = readFileSync(join(dir, 'truth.csv'), 'utf8').trim().split('\n').slice(1);
  return new Map(rows.map((row) => row.split(',')).map(([source, recordId, person]) => [`${source}:${recordId}`, person]));
}

/** The index of the population's ehr, lab and payer files, with the settings their FHIR mapping gives. */
export async function buildIndex(dir: string): Promise<IdentityIndex> {
  const sources = INDEXED.map((name) => ({ name, path: join(dir, `${name}.ndjson`) }));
  return createIndex(join(dir, 'index.db'), { settings: await fhirSettings(sources), sources, threads: 1 });
}

export interface Served {
  readonly url: string;
  readonly logLines: string[];
  readonly auditPath: string;
  close(): Promise<void>;
  /** A request with the test token (or `token`), JSON in and out. */
  call(method: string, path: string, body?: unknown, options?: { token?: string | null; contentType?: string; raw?: string }): Promise<{ status: number; headers: Headers; body: Resource }>;
}

/** Starts the server over `index` on 127.0.0.1, port 0. */
export async function serve(index: IdentityIndex, dir: string, extra: Partial<FhirServerOptions> = {}): Promise<Served> {
  const logLines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      logLines.push(...String(chunk).split('\n').filter((line) => line !== ''));
      done();
    },
  });
  const auditPath = join(dir, `audit-${Math.random().toString(36).slice(2)}.jsonl`);
  const audit = new JsonlAuditLog(auditPath);
  const app = createFhirServer({ index, tokens: [TOKEN], audit, source: 'ehr', logger: { level: 'info', stream }, ...extra });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    url,
    logLines,
    auditPath,
    async close() {
      await app.close();
      audit.close();
    },
    async call(method, path, body, options = {}) {
      const token = options.token === undefined ? TOKEN.token : options.token;
      const headers: Record<string, string> = {};
      if (token !== null) headers.authorization = `Bearer ${token}`;
      const payload = options.raw ?? (body === undefined ? undefined : JSON.stringify(body));
      if (payload !== undefined) headers['content-type'] = options.contentType ?? 'application/fhir+json';
      const response = await fetch(`${url}${path}`, { method, headers, body: payload, redirect: 'manual' });
      const text = await response.text();
      return { status: response.status, headers: response.headers, body: text === '' ? {} : (JSON.parse(text) as Resource) };
    },
  };
}

/** A $match Parameters resource. */
export const matchRequest = (resource: unknown, extra: Resource[] = []) => ({ resourceType: 'Parameters', parameter: [{ name: 'resource', resource }, ...extra] });
