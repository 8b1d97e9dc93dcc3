// Character-class tests by char code. Most normalized values are plain ASCII
// letters and digits, and code that sees one can skip its regexes: a regex
// split, test or replace per distinct value is a measurable share of a cold
// run (key transforms here; identifier and postcode normalizers in @mpi/core,
// which import these rather than keep copies).

/** Whether every character is an ASCII letter or digit ('' counts). */
export function isAsciiAlphanumeric(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (!((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57))) return false;
  }
  return true;
}

/** Whether every character is an ASCII digit ('' counts). */
export function isAsciiDigits(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}
