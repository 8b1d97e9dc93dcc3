import type { PairChunk } from './types.js';

const FIRST_CAPACITY = 1 << 14;

function sharedUint32(length: number): Uint32Array {
  return new Uint32Array(new SharedArrayBuffer(length * Uint32Array.BYTES_PER_ELEMENT));
}

/**
 * Appends pairs into chunks of at most `chunkSize` pairs, each a left/right pair
 * of Uint32Arrays over SharedArrayBuffers. A chunk starts small and doubles (one
 * copy per doubling, amortised O(1) per pair); once one chunk has filled, later
 * chunks start at full size. The last chunk is trimmed to its length.
 *
 * Beyond `limit` pairs it stops storing and only counts, so the caller can report
 * the exact overshoot without holding more than the budget in memory.
 */
export class PairWriter {
  count = 0;
  private readonly chunks: PairChunk[] = [];
  private left: Uint32Array;
  private right: Uint32Array;
  private length = 0;

  constructor(
    private readonly chunkSize: number,
    private readonly limit: number,
  ) {
    // A writer with limit 0 only counts, and allocates nothing.
    const capacity = Math.min(FIRST_CAPACITY, chunkSize, Math.ceil(limit));
    this.left = sharedUint32(capacity);
    this.right = sharedUint32(capacity);
  }

  push(left: number, right: number): void {
    if (this.count++ >= this.limit) return;
    if (this.length === this.left.length) this.makeRoom();
    this.left[this.length] = left;
    this.right[this.length] = right;
    this.length++;
  }

  private makeRoom(): void {
    if (this.length >= this.chunkSize) {
      this.chunks.push({ left: this.left, right: this.right });
      const capacity = this.chunkSize;
      this.left = sharedUint32(capacity);
      this.right = sharedUint32(capacity);
      this.length = 0;
      return;
    }
    const capacity = Math.min(this.chunkSize, this.left.length * 2);
    const left = sharedUint32(capacity);
    const right = sharedUint32(capacity);
    left.set(this.left);
    right.set(this.right);
    this.left = left;
    this.right = right;
  }

  /** The stored chunks (the last one trimmed to its length). */
  finish(): PairChunk[] {
    if (this.length > 0) {
      if (this.length === this.left.length) {
        this.chunks.push({ left: this.left, right: this.right });
      } else {
        const left = sharedUint32(this.length);
        const right = sharedUint32(this.length);
        left.set(this.left.subarray(0, this.length));
        right.set(this.right.subarray(0, this.length));
        this.chunks.push({ left, right });
      }
    }
    this.length = 0;
    return this.chunks;
  }
}
