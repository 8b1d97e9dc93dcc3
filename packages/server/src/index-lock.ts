// Matches read the index together; an add waits for them and runs alone.
// IdentityIndex's writes swap its in-memory tables after an await, and two adds
// of one process must not start from the same batch. Written here (a dozen
// lines) rather than taken from a library: the well-kept async mutexes offer a
// mutex or a weighted semaphore, and this needs readers that queue behind a
// waiting writer, so a stream of matches cannot hold an add off for ever.

/** A readers-writer lock for async work, first come first served. */
export class IndexLock {
  private readers = 0;
  private writing = false;
  private readonly queue: { write: boolean; start: () => void }[] = [];

  /** Runs `work` beside other reads (not beside a write). */
  read<T>(work: () => Promise<T>): Promise<T> {
    return this.run(false, work);
  }

  /** Runs `work` alone. */
  write<T>(work: () => Promise<T>): Promise<T> {
    return this.run(true, work);
  }

  private async run<T>(write: boolean, work: () => Promise<T>): Promise<T> {
    await new Promise<void>((start) => {
      this.queue.push({ write, start });
      this.next();
    });
    try {
      return await work();
    } finally {
      if (write) this.writing = false;
      else this.readers--;
      this.next();
    }
  }

  private next(): void {
    while (this.queue.length > 0 && !this.writing) {
      const head = this.queue[0];
      if (head.write && this.readers > 0) return;
      this.queue.shift();
      if (head.write) this.writing = true;
      else this.readers++;
      head.start();
      if (head.write) return;
    }
  }
}
