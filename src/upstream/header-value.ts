const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/**
 * Event ids and types come from the JSON body and may hold characters that an HTTP header cannot carry;
 * those are percent-encoded so that a valid event is never refused by the HTTP client.
 */
export function headerSafe(value: string): string {
  return PRINTABLE_ASCII.test(value) ? value : encodeURIComponent(value);
}
