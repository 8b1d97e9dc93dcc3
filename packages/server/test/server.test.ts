// The FHIR server over a real index file, spoken to over real HTTP on a loopback
// port: $match finds the people of a generated population, grades follow the
// index's thresholds, created Patients join identities, merged ids resolve,
// every error is an OperationOutcome with its status, nothing answers without a
// valid token, every request is an audit event, and no record value reaches
// the audit log or the server log. Responses validate as FHIR R4.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { thresholdWeight } from '@mpi/core/advanced';
import { gradeOf, type IdentityIndex } from '@mpi/index';
import { MATCH_GRADE_URL, type AuditEvent } from '../src/index.js';
import { fhirIssues } from './fhir-validator.js';
import { buildIndex, fhirPopulation, INDEXED, matchRequest, patients, serve, TOKEN, truth, type Resource, type Served } from './fixture.js';

let dir: string;
let index: IdentityIndex;
let server: Served;
let people: Map<string, string>;
/** Every value of every Patient the tests send, to look for in the logs. */
const sentValues = new Set<string>();

function remember(resource: unknown): void {
  if (typeof resource === 'string' && resource.length >= 4) sentValues.add(resource);
  else if (resource !== null && typeof resource === 'object') for (const value of Object.values(resource)) remember(value);
}

/** Clinic Patients (not indexed) whose person the index holds: queries with a right answer. */
function queries(): { patient: Resource; person: string }[] {
  const indexedPeople = new Set([...people].filter(([key]) => INDEXED.some((s) => key.startsWith(`${s}:`))).map(([, person]) => person));
  return patients(dir, 'clinic')
    .map((patient) => ({ patient, person: people.get(`clinic:${patient.id}`)! }))
    .filter(({ person }) => indexedPeople.has(person));
}

/** The people of an identity's golden view, from the source identifiers of its records. */
function peopleOf(patient: Resource): Set<string> {
  const found = new Set<string>();
  for (const identifier of patient.identifier as Resource[]) {
    const source = /^urn:mpi:source:(.+)$/.exec(identifier.system ?? '')?.[1];
    if (source !== undefined) found.add(people.get(`${source}:${identifier.value}`) ?? `unknown ${source}`);
  }
  return found;
}

beforeAll(async () => {
  dir = await fhirPopulation(1000, 11);
  people = truth(dir);
  index = await buildIndex(dir);
  server = await serve(index, dir);
}, 120_000);

afterAll(async () => {
  await server?.close();
  index?.close();
});

describe('POST /Patient/$match', () => {
  it('ranks the right identity first for most people of a generated population', async () => {
    const sample = queries().slice(0, 80);
    expect(sample.length).toBe(80);
    let right = 0;
    for (const { patient, person } of sample) {
      remember(patient);
      const { id: _recordId, ...query } = patient; // a $match query needs no id
      const response = await server.call('POST', '/Patient/$match', matchRequest(query));
      expect(response.status).toBe(200);
      const top = response.body.entry?.[0]?.resource;
      if (top !== undefined && peopleOf(top).has(person)) right++;
    }
    // Top-1 rate over the sample, from the truth file (1000 people, seed 11).
    expect(right / sample.length).toBeGreaterThanOrEqual(0.9);
  }, 120_000);

  it('answers a searchset Bundle: fullUrl, golden Patient, mode match, score, and a grade that follows the thresholds', async () => {
    const { patient } = queries()[3];
    remember(patient);
    const { body } = await server.call('POST', '/Patient/$match', matchRequest(patient, [{ name: 'count', valueInteger: 10 }]));
    expect(body).toMatchObject({ resourceType: 'Bundle', type: 'searchset' });
    expect(body.entry.length).toBeGreaterThan(0);
    expect(body.total).toBe(body.entry.length);
    expect(fhirIssues(body)).toEqual([]);
    const scores = body.entry.map((e: Resource) => e.search.score as number);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    for (const entry of body.entry as Resource[]) {
      expect(entry.fullUrl).toBe(`${server.url}/Patient/${entry.resource.id}`);
      expect(entry.search.mode).toBe('match');
      const grade = entry.search.extension.find((e: Resource) => e.url === MATCH_GRADE_URL).valueCode;
      const p = entry.search.score as number;
      // Below the review threshold nothing is returned (certainly-not candidates stay private).
      expect(p).toBeGreaterThanOrEqual(index.thresholds.review);
      expect(grade).toBe(gradeOf(Math.log2(p / (1 - p)), index.thresholds));
      expect(grade === 'certain').toBe(p >= index.thresholds.link || Math.log2(p / (1 - p)) >= thresholdWeight(index.thresholds.link));
      // The golden view carries every member record's source identifier.
      const members = index.identity(entry.resource.id)!.records;
      for (const member of members) expect(entry.resource.identifier).toContainEqual({ use: 'secondary', system: `urn:mpi:source:${member.source}`, value: member.recordId });
    }
  });

  it('honours count and onlyCertainMatches', async () => {
    for (const { patient } of queries().slice(10, 20)) {
      const one = await server.call('POST', '/Patient/$match', matchRequest(patient, [{ name: 'count', valueInteger: 1 }]));
      expect(one.body.entry?.length ?? 0).toBeLessThanOrEqual(1);
      const certain = await server.call('POST', '/Patient/$match', matchRequest(patient, [{ name: 'onlyCertainMatches', valueBoolean: true }]));
      for (const entry of certain.body.entry ?? []) expect(entry.search.extension[0].valueCode).toBe('certain');
    }
  });
});

describe('POST /Patient and GET /Patient/{id}', () => {
  it('adds a record to the source its meta.source names and answers with the identity it joined', async () => {
    const { patient } = queries()[0];
    const created = { ...patient, id: 'NEW-1', meta: { source: 'urn:mpi:source:lab' } };
    remember(created);
    const matched = await server.call('POST', '/Patient/$match', matchRequest(patient, [{ name: 'onlyCertainMatches', valueBoolean: true }]));
    const response = await server.call('POST', '/Patient', created);
    expect(response.status).toBe(201);
    expect(fhirIssues(response.body)).toEqual([]);
    const id = response.body.id as string;
    expect(response.headers.get('location')).toBe(`${server.url}/Patient/${id}`);
    expect(index.identityOf({ source: 'lab', recordId: 'NEW-1' })).toBe(id);
    expect(response.body.identifier).toContainEqual({ use: 'secondary', system: 'urn:mpi:source:lab', value: 'NEW-1' });
    // A certain match before the add is the identity the record joins.
    if (matched.body.entry?.length > 0) expect(id).toBe(matched.body.entry[0].resource.id);
    const read = await server.call('GET', `/Patient/${id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(response.body);
    // The same record again changes nothing: 200, the same identity.
    const again = await server.call('POST', '/Patient', created);
    expect([again.status, again.body.id]).toEqual([200, id]);
  });

  it('resolves the id of a merged identity to the survivor, naming it in Content-Location', async () => {
    const groups = index.groups();
    const [a, b] = [groups[5], groups[6]];
    await index.decide([{ left: a.records[0], right: b.records[0], decision: 'match' }]);
    const survivor = index.resolve(a.id)!;
    const absorbed = survivor === a.id ? b.id : a.id;
    expect(index.resolve(absorbed)).toBe(survivor);
    const read = await server.call('GET', `/Patient/${absorbed}`);
    expect(read.status).toBe(200);
    expect(read.body.id).toBe(survivor);
    expect(read.headers.get('content-location')).toBe(`${server.url}/Patient/${survivor}`);
    const history = await server.call('GET', `/Patient/${absorbed}/$history`);
    expect(history.status).toBe(200);
    expect(fhirIssues(history.body)).toEqual([]);
    const activities = history.body.entry.map((e: Resource) => e.resource.activity.text);
    expect(activities).toContain('create');
    expect(activities).toContain('merge');
    const merge = history.body.entry.find((e: Resource) => e.resource.activity.text === 'merge').resource;
    expect(merge.target).toEqual([{ reference: `Patient/${survivor}` }]);
  });
});

describe('errors are OperationOutcomes with their status, and never quote the request', () => {
  const outcome = (body: Resource, code: string) => {
    expect(body.resourceType).toBe('OperationOutcome');
    expect(body.issue[0]).toMatchObject({ severity: 'error', code });
    expect(fhirIssues(body)).toEqual([]);
  };

  it('400 for malformed JSON and for what is not a Parameters resource', async () => {
    const malformed = await server.call('POST', '/Patient/$match', undefined, { raw: '{"resourceType": "Parameters", "name": "Zebediah' });
    expect(malformed.status).toBe(400);
    outcome(malformed.body, 'invalid');
    expect(JSON.stringify(malformed.body)).not.toContain('Zebediah');
    const notParameters = await server.call('POST', '/Patient/$match', { resourceType: 'Patient', id: 'x' });
    expect(notParameters.status).toBe(400);
    const badCount = await server.call('POST', '/Patient/$match', matchRequest({ resourceType: 'Patient' }, [{ name: 'count', valueInteger: 0 }]));
    expect(badCount.status).toBe(400);
  });

  it('401 without a token, with a wrong one, or a malformed header, on every route', async () => {
    const { patient } = queries()[1];
    for (const token of [null, 'wrong-token-0123456789abcdef', `${TOKEN.token}x`, '']) {
      for (const [method, path, body] of [['POST', '/Patient/$match', matchRequest(patient)], ['POST', '/Patient', patient], ['GET', `/Patient/${index.groups()[0].id}`], ['GET', '/metadata'], ['GET', '/nothing-here']] as const) {
        const response = await server.call(method, path, body, { token });
        expect(response.status).toBe(401);
        expect(response.headers.get('www-authenticate')).toBe('Bearer');
        outcome(response.body, 'login');
        expect(response.body.entry).toBeUndefined();
      }
    }
    const basic = await fetch(`${server.url}/metadata`, { headers: { authorization: `Basic ${Buffer.from(`u:${TOKEN.token}`).toString('base64')}` } });
    expect(basic.status).toBe(401);
  });

  it('404 for an unknown identity and an unknown route', async () => {
    const unknown = await server.call('GET', '/Patient/P0000000000000000');
    expect(unknown.status).toBe(404);
    outcome(unknown.body, 'not-found');
    expect((await server.call('GET', '/Patient/P0000000000000000/$history')).status).toBe(404);
    expect((await server.call('GET', '/Observation/1')).status).toBe(404);
  });

  it('413 for a body over the size limit', async () => {
    const big = { resourceType: 'Parameters', parameter: [{ name: 'resource', resource: { resourceType: 'Patient', name: [{ text: 'x'.repeat(300 * 1024) }] } }] };
    const response = await server.call('POST', '/Patient/$match', big);
    expect(response.status).toBe(413);
    outcome(response.body, 'too-long');
  });

  it('422 for a resource that is not a Patient, or a Patient element of the wrong type (the path named, never the value)', async () => {
    const observation = await server.call('POST', '/Patient/$match', matchRequest({ resourceType: 'Observation', id: 'o1' }));
    expect(observation.status).toBe(422);
    outcome(observation.body, 'processing');
    const wrongType = await server.call('POST', '/Patient', { resourceType: 'Patient', id: 'W1', name: [{ family: 'Quuxley', given: [42] }] });
    expect(wrongType.status).toBe(422);
    expect(wrongType.body.issue[0].diagnostics).toContain('name[0].given[0]');
    expect(JSON.stringify(wrongType.body)).not.toContain('Quuxley');
    const noId = await server.call('POST', '/Patient', { resourceType: 'Patient', name: [{ family: 'Quuxley' }] });
    expect(noId.status).toBe(422);
    const badSource = await server.call('POST', '/Patient', { resourceType: 'Patient', id: 'S1', meta: { source: 'urn:mpi:source:nowhere' } });
    expect(badSource.status).toBe(422);
  });

  it('429 past the rate limit', async () => {
    const limited = await serve(index, dir, { limits: { requestsPerMinute: 3 } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await limited.call('GET', '/metadata')).status);
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      outcome((await limited.call('GET', '/metadata')).body, 'throttled');
    } finally {
      await limited.close();
    }
  });
});

describe('the CapabilityStatement', () => {
  it('is valid R4 and declares Patient read, create and $match', async () => {
    const { status, body } = await server.call('GET', '/metadata');
    expect(status).toBe(200);
    expect(fhirIssues(body)).toEqual([]);
    expect(body.rest[0].resource[0].operation[0].name).toBe('match');
  });
});

describe('the audit log and the server log', () => {
  it('hold one event per request (refused ones too) with who, what, status and identities, and no record value or token', async () => {
    const before = readFileSync(server.auditPath, 'utf8').trim().split('\n').length;
    const { patient } = queries()[2];
    remember(patient);
    const matched = await server.call('POST', '/Patient/$match', matchRequest(patient));
    await server.call('GET', '/metadata', undefined, { token: 'not-the-token-0123456789' });
    const events = readFileSync(server.auditPath, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as AuditEvent);
    expect(events.length).toBe(before + 2);
    const [match, refused] = events.slice(-2);
    expect(match).toMatchObject({ who: TOKEN.name, operation: 'Patient/$match', method: 'POST', status: 200 });
    expect(match.identities).toEqual(matched.body.entry.map((e: Resource) => e.resource.id));
    expect(refused).toMatchObject({ who: null, operation: 'metadata', status: 401, identities: [] });
    expect(new Set(events.map((e) => e.status))).toEqual(new Set([200, 201, 400, 401, 404, 413, 422]));

    const audit = readFileSync(server.auditPath, 'utf8');
    const log = server.logLines.join('\n');
    expect(sentValues.size).toBeGreaterThan(200);
    for (const value of sentValues) {
      if (/^(urn:|http|Patient$|Parameters$|official$|home$|phone$|email$|female$|male$|other$|unknown$|work$|mobile$|maiden$|usual$|nickname$|old$)/.test(value)) continue; // FHIR vocabulary, not values
      // Five digits or fewer (a zip code) can be a port or part of a timestamp in the log: looked for as a quoted value there.
      const short = /^\d{1,5}$/.test(value);
      expect(audit, 'audit log').not.toContain(short ? `"${value}"` : value);
      expect(log, 'server log').not.toContain(short ? `"${value}"` : value);
    }
    for (const text of [audit, log]) {
      expect(text).not.toContain(TOKEN.token);
      expect(text).not.toContain('Zebediah');
      expect(text).not.toContain('Quuxley');
    }
    // The log says what happened: requests with their method, path and status.
    expect(server.logLines.some((line) => line.includes('"statusCode":413'))).toBe(true);
  });
});
