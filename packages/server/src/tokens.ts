// Who may call the server: named bearer tokens, from the environment or a file.
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { MpiError } from '@mpi/core';

/** A bearer token and the name the audit log records for its holder (never the token). */
export interface ApiToken {
  readonly name: string;
  readonly token: string;
}

/** The environment variable that holds a single token (named `env` in the audit log). */
export const TOKEN_ENV = 'MPI_API_TOKEN';

/** Tokens shorter than this are refused: a guessable token is no credential. */
export const MIN_TOKEN_LENGTH = 16;

function checked(token: ApiToken, where: string): ApiToken {
  if (token.name === '' || /\s/.test(token.name)) throw new MpiError('BAD_TOKEN', `${where}: a token's name is one word`);
  if (token.token.length < MIN_TOKEN_LENGTH) throw new MpiError('BAD_TOKEN', `${where}: a token has at least ${MIN_TOKEN_LENGTH} characters`);
  return token;
}

/**
 * Reads `name:token` lines (blank lines and `#` comments skipped), one per
 * caller so the audit log can say who called. Errors name the line, never a token.
 */
export function parseTokenFile(text: string, file = 'token file'): ApiToken[] {
  const tokens: ApiToken[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const colon = line.indexOf(':');
    if (colon < 0) throw new MpiError('BAD_TOKEN', `${file}, line ${i + 1}: expected name:token`);
    tokens.push(checked({ name: line.slice(0, colon).trim(), token: line.slice(colon + 1).trim() }, `${file}, line ${i + 1}`));
  });
  const names = new Set(tokens.map((t) => t.name));
  if (names.size !== tokens.length) throw new MpiError('BAD_TOKEN', `${file}: two tokens have the same name`);
  return tokens;
}

/**
 * The tokens the server accepts: those of `tokenFile` (`name:token` lines) and
 * the environment's MPI_API_TOKEN (named `env`). Throws NO_API_TOKEN when there
 * are none: the server never runs open.
 */
export function loadTokens(options: { readonly tokenFile?: string; readonly env?: NodeJS.ProcessEnv } = {}): ApiToken[] {
  const env = options.env ?? process.env;
  const tokens: ApiToken[] = [];
  if (options.tokenFile !== undefined) tokens.push(...parseTokenFile(readFileSync(options.tokenFile, 'utf8'), options.tokenFile));
  const fromEnv = env[TOKEN_ENV];
  if (fromEnv !== undefined && fromEnv.trim() !== '') {
    if (tokens.some((t) => t.name === 'env')) throw new MpiError('BAD_TOKEN', 'the token file names a token "env", the name of the environment\'s token');
    tokens.push(checked({ name: 'env', token: fromEnv.trim() }, TOKEN_ENV));
  }
  if (tokens.length === 0) throw new MpiError('NO_API_TOKEN', `no API token: set ${TOKEN_ENV} or give --token-file (the server never runs without credentials)`);
  return tokens;
}

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/** Checks presented tokens in constant time (the same work whichever token, if any, matches). */
export class TokenVerifier {
  private readonly digests: { name: string; digest: Buffer }[];

  constructor(tokens: readonly ApiToken[]) {
    if (tokens.length === 0) throw new MpiError('NO_API_TOKEN', 'no API token: the server never runs without credentials');
    this.digests = tokens.map((t) => ({ name: t.name, digest: digest(t.token) }));
  }

  /**
   * The name of the token presented, or undefined. Digests make the lengths
   * equal for timingSafeEqual, and every token is compared, not just until
   * the first match, so the time says nothing about which came close.
   */
  nameOf(presented: string): string | undefined {
    const given = digest(presented);
    let name: string | undefined;
    for (const token of this.digests) if (timingSafeEqual(given, token.digest) && name === undefined) name = token.name;
    return name;
  }
}
