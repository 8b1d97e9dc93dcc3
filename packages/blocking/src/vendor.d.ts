// talisman ships CommonJS without type declarations; declare the deep imports we use.
declare module 'talisman/phonetics/soundex.js' {
  /** The American Soundex code of a name (4 characters; '0000' when it has no letters). */
  export default function soundex(name: string): string;
}
