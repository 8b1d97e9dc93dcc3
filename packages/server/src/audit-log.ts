// The audit trail of the server: one event per request, refused ones included.
//
// Kept in an append-only JSON Lines file, not in the index's SQLite file: the
// index is written in whole-batch transactions by the index package (and by
// `mpi index ...` commands in other processes, which check that no other writer
// changed it), so a write per request there would contend with adds and couple
// the audit trail to the index's layout; an append-only file is what log
// shippers and SIEMs read, survives rebuilding the index, and an O_APPEND write
// of one line never interleaves with another process's.
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';

/** One request, as the audit trail records it: no record values, no token, no query string. */
export interface AuditEvent {
  /** ISO time the response was sent. */
  readonly time: string;
  /** The name of the caller's token; null when the request carried no valid token. */
  readonly who: string | null;
  /** What was asked: `Patient/$match`, `Patient.create`, `Patient.read`, `Patient.history`, `metadata`, or `unknown`. */
  readonly operation: string;
  readonly method: string;
  readonly status: number;
  /** Identity ids the response named (returned, created or joined). */
  readonly identities: readonly string[];
  /** The caller's address (a system's, not a patient's). */
  readonly remoteAddress: string;
  readonly ms: number;
}

/** Where audit events go. */
export interface AuditSink {
  write(event: AuditEvent): void;
  close(): void;
}

/**
 * Audit events appended to a JSON Lines file, one line per event. Each line is
 * one write(2) on a file opened for appending, so a crash leaves whole lines;
 * fsync on close (per event it would cost a disk flush on every request).
 */
export class JsonlAuditLog implements AuditSink {
  private fd: number | undefined;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'a', 0o600);
  }

  write(event: AuditEvent): void {
    if (this.fd === undefined) return;
    writeSync(this.fd, `${JSON.stringify(event)}\n`);
  }

  close(): void {
    if (this.fd === undefined) return;
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = undefined;
  }
}

/** Audit events kept in memory (for tests and embedding). */
export class MemoryAuditLog implements AuditSink {
  readonly events: AuditEvent[] = [];
  write(event: AuditEvent): void {
    this.events.push(event);
  }
  close(): void {}
}
