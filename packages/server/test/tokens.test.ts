// Credentials: named tokens from a file or the environment, checked in constant
// time; no token, no server.
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MpiError } from '@mpi/core';
import { createFhirServer, loadTokens, MemoryAuditLog, parseTokenFile, TokenVerifier } from '../src/index.js';
import { tempDir } from '../../core/test/helpers.js';

const strong = (c: string) => c.repeat(24);

describe('token files', () => {
  it('read name:token lines, skipping blanks and comments', () => {
    expect(parseTokenFile(`# callers\nehr:${strong('a')}\n\n  lab : ${strong('b')}  \n`)).toEqual([
      { name: 'ehr', token: strong('a') },
      { name: 'lab', token: strong('b') },
    ]);
  });

  it('refuse a line without a name, a short token, and a repeated name, naming the line but never the token', () => {
    for (const [text, line] of [[`${strong('a')}\n`, 'line 1'], ['\nehr:short\n', 'line 2'], [`ehr:${strong('a')}\nehr:${strong('b')}\n`, 'same name']] as const) {
      const error = (() => {
        try {
          parseTokenFile(text, 'tokens.txt');
        } catch (e) {
          return e as MpiError;
        }
      })();
      expect(error).toBeInstanceOf(MpiError);
      expect(error!.message).toContain(line);
      expect(error!.message).not.toContain('short');
      expect(error!.message).not.toContain(strong('a'));
    }
  });
});

describe('loadTokens', () => {
  it('takes the environment token as "env" and the file\'s by name', () => {
    const file = join(tempDir(), 'tokens.txt');
    writeFileSync(file, `desk:${strong('d')}\n`);
    expect(loadTokens({ tokenFile: file, env: { MPI_API_TOKEN: strong('e') } }).map((t) => t.name)).toEqual(['desk', 'env']);
  });

  it('throws NO_API_TOKEN with neither, and createFhirServer refuses an empty list', () => {
    expect(() => loadTokens({ env: {} })).toThrow(expect.objectContaining({ code: 'NO_API_TOKEN' }));
    expect(() => loadTokens({ env: { MPI_API_TOKEN: '  ' } })).toThrow(expect.objectContaining({ code: 'NO_API_TOKEN' }));
    expect(() => createFhirServer({ index: {} as never, tokens: [], audit: new MemoryAuditLog() })).toThrow(expect.objectContaining({ code: 'NO_API_TOKEN' }));
  });
});

describe('TokenVerifier', () => {
  it('names the token presented, and nothing for any other string', () => {
    const verifier = new TokenVerifier([{ name: 'a', token: strong('a') }, { name: 'b', token: strong('b') }]);
    expect(verifier.nameOf(strong('b'))).toBe('b');
    expect(verifier.nameOf(strong('a'))).toBe('a');
    for (const wrong of ['', strong('a').slice(1), `${strong('a')}a`, strong('c')]) expect(verifier.nameOf(wrong)).toBeUndefined();
  });
});
