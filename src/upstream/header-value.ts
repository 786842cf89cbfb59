const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
// With the u flag a proper surrogate pair is one code point, so only unpaired halves match.
const LONE_SURROGATE = /\p{Cs}/gu;

/**
 * Event ids and types come from the JSON body and may hold characters that an HTTP header cannot carry;
 * those are percent-encoded so that a valid event is never refused by the HTTP client.
 */
export function headerSafe(value: string): string {
  if (PRINTABLE_ASCII.test(value)) return value;
  // JSON may carry a lone surrogate ("\ud800"), which encodeURIComponent refuses; U+FFFD stands in for it.
  return encodeURIComponent(value.replace(LONE_SURROGATE, '\ufffd'));
}
