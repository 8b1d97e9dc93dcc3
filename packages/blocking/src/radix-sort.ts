// Why a hand-written LSD radix sort rather than a counting sort over key ids or
// Array.prototype.sort: with ~1M distinct keys a counting sort's bucket table is as
// large as the data and every record costs dependent random loads (measured ~300 ms
// per 1M-record two-column key on the dev VM). Radix passes of <= 11-bit digits read
// sequentially and scatter into at most 2048 streams, which stays in cache
// (~15-30 ms per 1M-record key).

const MAX_DIGIT_BITS = 11;

export interface SortedByKey {
  readonly keys: Uint32Array;
  readonly payloads: Uint32Array[];
}

/**
 * Stable sort of `keys` (unsigned integers <= maxKey), permuting every payload
 * array (same length as keys) alongside. Returns new arrays; the inputs are not
 * modified.
 */
export function radixSortByKey(keys: Uint32Array, maxKey: number, payloads: readonly Uint32Array[]): SortedByKey {
  const n = keys.length;
  const bits = maxKey <= 0 ? 0 : 32 - Math.clz32(maxKey);
  const passes = Math.max(1, Math.ceil(bits / MAX_DIGIT_BITS));
  const digitBits = Math.max(1, Math.ceil(bits / passes));
  const mask = (1 << digitBits) - 1;
  const histogram = new Uint32Array(mask + 1);

  let srcKeys: Uint32Array = keys;
  let srcPay: Uint32Array[] = payloads.slice();
  let dstKeys: Uint32Array = new Uint32Array(n);
  let dstPay: Uint32Array[] = payloads.map(() => new Uint32Array(n));
  for (let pass = 0, shift = 0; pass < passes; pass++, shift += digitBits) {
    histogram.fill(0);
    for (let i = 0; i < n; i++) histogram[(srcKeys[i] >>> shift) & mask]++;
    let sum = 0;
    for (let d = 0; d <= mask; d++) {
      const c = histogram[d];
      histogram[d] = sum;
      sum += c;
    }
    const p = srcPay.length;
    if (p === 1) {
      const s0 = srcPay[0];
      const d0 = dstPay[0];
      for (let i = 0; i < n; i++) {
        const k = srcKeys[i];
        const at = histogram[(k >>> shift) & mask]++;
        dstKeys[at] = k;
        d0[at] = s0[i];
      }
    } else if (p === 2) {
      const s0 = srcPay[0];
      const s1 = srcPay[1];
      const d0 = dstPay[0];
      const d1 = dstPay[1];
      for (let i = 0; i < n; i++) {
        const k = srcKeys[i];
        const at = histogram[(k >>> shift) & mask]++;
        dstKeys[at] = k;
        d0[at] = s0[i];
        d1[at] = s1[i];
      }
    } else {
      for (let i = 0; i < n; i++) {
        const k = srcKeys[i];
        const at = histogram[(k >>> shift) & mask]++;
        dstKeys[at] = k;
        for (let j = 0; j < p; j++) dstPay[j][at] = srcPay[j][i];
      }
    }
    // The first pass read the caller's arrays; from then on ping-pong between two sets.
    const fresh = pass === 0 && passes > 1;
    const nextKeys = fresh ? new Uint32Array(n) : srcKeys;
    const nextPay = fresh ? payloads.map(() => new Uint32Array(n)) : srcPay;
    srcKeys = dstKeys;
    srcPay = dstPay;
    dstKeys = nextKeys;
    dstPay = nextPay;
  }
  return { keys: srcKeys, payloads: srcPay };
}
