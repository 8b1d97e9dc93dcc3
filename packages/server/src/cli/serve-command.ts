// `mpi serve`: the FHIR server over an index file, a thin layer over createFhirServer.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { positiveInt } from '@mpi/core/cli';
import { openIndex } from '@mpi/index';
import { JsonlAuditLog } from '../audit-log.js';
import { createFhirServer, DEFAULT_LIMITS } from '../server.js';
import { loadTokens, TOKEN_ENV } from '../tokens.js';

function port(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) throw new InvalidArgumentError('expected a port number (0 to 65535)');
  return n;
}

/** Adds `mpi serve` to the program. */
export function addServeCommand(program: Command): void {
  program
    .command('serve')
    .description(`serve an index as FHIR R4 (Patient/$match, Patient create and read, $history); needs ${TOKEN_ENV} or --token-file`)
    .requiredOption('--index <file>', 'index file (mpi index create)')
    .requiredOption('--port <port>', 'TCP port (0: any free port)', port)
    .option('--host <host>', 'address to listen on (default 127.0.0.1; put a TLS proxy in front to serve others)', '127.0.0.1')
    .option('--token-file <file>', `bearer tokens, one "name:token" a line (besides ${TOKEN_ENV}, named "env")`)
    .option('--audit <file>', 'audit log, JSON Lines, appended to (default: the index file + .audit.jsonl)')
    .option('--source <name>', 'the index source created Patients join unless their meta.source names one (default fhir)')
    .option('--base-url <url>', 'public base URL for fullUrl and Location (default: from the request)')
    .option('--tls-cert <file>', 'serve HTTPS with this certificate (PEM), with --tls-key')
    .option('--tls-key <file>', 'the private key (PEM) of --tls-cert')
    .option('--body-limit <bytes>', `largest request body (default ${DEFAULT_LIMITS.bodyBytes})`, positiveInt)
    .option('--rate-limit <n>', `requests per minute per token (default ${DEFAULT_LIMITS.requestsPerMinute})`, positiveInt)
    .option('--threads <n>', 'most worker threads', positiveInt)
    .action(async (opts) => {
      // Credentials first: without them nothing else is opened.
      const tokens = loadTokens({ tokenFile: opts.tokenFile });
      if ((opts.tlsCert === undefined) !== (opts.tlsKey === undefined)) throw new InvalidArgumentError('--tls-cert and --tls-key go together');
      const https = opts.tlsCert === undefined ? undefined : { cert: readFileSync(opts.tlsCert), key: readFileSync(opts.tlsKey) };
      // Adds stay incremental while serving: a model refresh (a link() of the whole index) would hold a request for minutes.
      const index = openIndex(opts.index, { threads: opts.threads, modelRefresh: 'manual' });
      const audit = new JsonlAuditLog(opts.audit ?? `${opts.index}.audit.jsonl`);
      const app = createFhirServer({
        index,
        tokens,
        audit,
        source: opts.source,
        baseUrl: opts.baseUrl,
        https,
        limits: { bodyBytes: opts.bodyLimit, requestsPerMinute: opts.rateLimit },
      });
      const address = await app.listen({ port: opts.port, host: opts.host });
      process.stderr.write(`mpi serve: listening on ${address} (${tokens.length} token${tokens.length === 1 ? '' : 's'})\n`);
      // A signal stops the server gracefully: requests in flight finish, then the
      // index and the audit log close. (The mpi process's own handlers exit at once,
      // which suits batch commands writing files, not a server.)
      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          process.stderr.write(`mpi serve: ${signal}, closing\n`);
          void app.close().finally(() => {
            index.close();
            audit.close();
            resolve();
          });
        };
        for (const signal of ['SIGINT', 'SIGTERM'] as const) {
          process.removeAllListeners(signal);
          process.once(signal, () => stop(signal));
        }
      });
    });
}
